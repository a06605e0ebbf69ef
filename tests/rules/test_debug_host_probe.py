"""The BG203/BG204 false-negative and false-positive probe (/tmp/probe-config/report.md): the
shapes it found, each pinned on the side the rule pages and real code put it."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source
from backend_gate.model import Severity


def _found(code: str, path: str, rule: str) -> list[tuple[int, Severity]]:
    report = check_source(code, path, {"select": [rule]})
    return [(f.line, f.severity) for f in report.findings if f.rule == rule]


def _messages(code: str, path: str, rule: str) -> list[str]:
    report = check_source(code, path, {"select": [rule]})
    return [f.message for f in report.findings if f.rule == rule]


# -- BG203: a settings field defaulting to debug on (probe A1, A2) --------------------------

@pytest.mark.parametrize(("path", "code", "line"), [
    ("app/core/config.py",
     "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n"
     "    debug: bool = True\n", 4),
    ("app/core/config.py",
     "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n"
     "    DEBUG: bool = True\n", 4),
    ("app/core/config.py",
     "from pydantic import Field\n\nclass Settings(BaseSettings):\n"
     "    DEBUG: bool = Field(default=True)\n", 4),
    ("app/main.py",  # a BaseSettings class is a settings scope wherever it lives
     "class Settings(pydantic_settings.BaseSettings):\n    debug: bool = Field(True)\n", 2),
    ("app/settings.py", "DEBUG: bool = True\n", 1),
])
def test_a_settings_field_defaulting_to_true_is_debug_on(path: str, code: str, line: int) -> None:
    assert _found(code, path, "BG203") == [(line, Severity.ERROR)]


@pytest.mark.parametrize(("path", "code"), [
    ("app/core/config.py", "class Settings(BaseSettings):\n    debug: bool = False\n"),
    ("app/core/config.py", "class Settings(BaseSettings):\n    debug: bool\n"),
    ("app/core/config.py", "class DevSettings(Settings):\n    debug: bool = True\n"),
    ("app/core/config.py",
     "class Settings(BaseSettings):\n    def f(self):\n        debug: bool = True\n"),
    ("app/services/flags.py", "DEBUG: bool = True\n"),  # not a settings module
    ("app/services/report.py", "class Options:\n    debug: bool = True\n"),  # not settings
    ("app/core/config.py", "class Settings(BaseSettings):\n    sql_debug: bool = True\n"),
])
def test_other_annotated_fields_are_left_alone(path: str, code: str) -> None:
    assert _found(code, path, "BG203") == []


# -- BG203: environment defaults (probe A3, A4) -------------------------------------------

@pytest.mark.parametrize("code", [
    "import environ\nenv = environ.Env(DEBUG=(bool, True))\n",
    "import environ\nenv = environ.Env(DJANGO_DEBUG=(bool, True), ALLOWED_HOSTS=(list, []))\n",
    'import environ\nenv = environ.Env(DEBUG=(bool, "on"))\n',
    'import os\nDEBUG = int(os.environ.get("DEBUG", default=1))\n',
    'import os\nDEBUG = bool(int(os.getenv("DEBUG", 1)))\n',
])
def test_debug_on_when_the_environment_says_nothing(code: str) -> None:
    assert _found(code, "app/settings.py", "BG203") == [(2, Severity.ERROR)]


@pytest.mark.parametrize("code", [
    "import environ\nenv = environ.Env(DEBUG=(bool, False))\n",
    "import environ\nenv = environ.Env(DEBUG_TOOLBAR=(bool, True))\n",
    "import environ\nenv = environ.Env(DEBUG=(bool,))\n",
    'import os\nDEBUG = int(os.environ.get("DEBUG", default=0))\n',
    'import os\nDEBUG = bool(int(os.getenv("DEBUG", False)))\n',
])
def test_debug_off_when_the_environment_says_nothing(code: str) -> None:
    assert _found(code, "app/settings.py", "BG203") == []


# -- BG203: a module constant reaching a server's run call (probe A6) ----------------------

@pytest.mark.parametrize("code", [
    "DEBUG = True\napp = Flask(__name__)\napp.run(debug=DEBUG)\n",
    "debug = True\napp = Flask(__name__)\napp.run(debug=debug)\n",
    "DEBUG: bool = True\n\ndef main():\n    socketio.run(app, debug=DEBUG)\n",
])
def test_a_module_constant_set_to_true_reaching_run_is_debug_on(code: str) -> None:
    found = _found(code, "app/main.py", "BG203")
    assert [severity for _, severity in found] == [Severity.ERROR]
    assert "module constant" in _messages(code, "app/main.py", "BG203")[0]


@pytest.mark.parametrize("code", [
    "DEBUG = False\napp.run(debug=DEBUG)\n",
    'DEBUG = True\nif os.getenv("PROD"):\n    DEBUG = False\napp.run(debug=DEBUG)\n',
    "DEBUG = True\n\ndef main(DEBUG=False):\n    app.run(debug=DEBUG)\n",
    "DEBUG = True\n\ndef main():\n    DEBUG = load()\n    app.run(debug=DEBUG)\n",
    "from config import DEBUG\napp.run(debug=DEBUG)\n",
    "DEBUG = True\nresult = asyncio.run(main(), debug=DEBUG)\n",
])
def test_a_constant_that_may_be_false_or_a_non_server_run_is_left_alone(code: str) -> None:
    assert _found(code, "app/main.py", "BG203") == []


def test_a_settings_constant_reported_once_not_again_at_run() -> None:
    code = "DEBUG = True\napp.run(debug=DEBUG)\n"
    assert _found(code, "app/settings.py", "BG203") == [(1, Severity.ERROR)]


# -- BG203: which `.run(debug=True)` is a web server's (probe FP-BG203-1, FP-BG203-2) ------

@pytest.mark.parametrize("code", [
    "import asyncio\nasyncio.run(main(), debug=True)\n",
    "import trio\ntrio.run(main, debug=True)\n",
    "result = pipeline.run(data, debug=True)\n",
    "experiment.run(debug=True)\n",
    "runner.dry_run(debug=True)\n",
    "loop = get_loop()\nloop.run(debug=True)\n",
])
def test_a_run_that_is_not_a_web_server_is_left_alone(code: str) -> None:
    assert _found(code, "app/main.py", "BG203") == []


@pytest.mark.parametrize("code", [
    "app.run(debug=True)\n",
    "socketio.run(app, debug=True)\n",
    "uvicorn.run(app, debug=True)\n",
    "web_app.run(debug=True)\n",
    "application.run(debug=True)\n",
    "server.run(debug=True)\n",
    "create_app().run(debug=True)\n",
    "site = Flask(__name__)\nsite.run(debug=True)\n",
    "bottle.run(app, debug=True)\n",
    "from bottle import run\nrun(app, debug=True)\n",
])
def test_a_web_server_run_with_debug_stays_an_error(code: str) -> None:
    found = _found(code, "app/main.py", "BG203")
    assert [severity for _, severity in found] == [Severity.ERROR]


# -- BG204: a host passed positionally to a known client (probe A1) ------------------------

@pytest.mark.parametrize(("code", "host"), [
    ('import smtplib\ns = smtplib.SMTP("smtp.corp.internal", 587)\n', "smtp.corp.internal"),
    ('import smtplib\ns = smtplib.SMTP_SSL("smtp.corp.internal")\n', "smtp.corp.internal"),
    ('import redis\nr = redis.Redis("10.0.3.17", 6379)\n', "10.0.3.17"),
    ('import redis\nr = redis.StrictRedis("10.0.3.17")\n', "10.0.3.17"),
    ('import pymongo\nc = pymongo.MongoClient("mongo.prod.internal", 27017)\n',
     "mongo.prod.internal"),
    ('import pika\np = pika.ConnectionParameters("rabbit.prod.internal")\n',
     "rabbit.prod.internal"),
])
def test_a_positional_host_to_a_host_first_client_is_reported(code: str, host: str) -> None:
    assert _found(code, "app/services/clients.py", "BG204") == [(2, Severity.WARNING)]
    assert host in _messages(code, "app/services/clients.py", "BG204")[0]


@pytest.mark.parametrize("code", [
    'import smtplib\ns = smtplib.SMTP("localhost", 1025)\n',
    'import redis\nr = redis.Redis("127.0.0.1", 6379)\n',
    'import redis\nr = redis.Redis("redis", 6379)\n',  # a compose service name
    'c = pymongo.MongoClient(settings.MONGO_HOST)\n',
    'signal.connect("user.created")\n',
    'app = Celery("app.tasks")\n',
    's3 = boto3.client("s3.amazonaws.com")\n',
    'conn = psycopg2.connect("db.prod.internal")\n',  # not a host-first signature
])
def test_positional_arguments_that_are_not_hosts_are_left_alone(code: str) -> None:
    assert _found(code, "app/services/clients.py", "BG204") == []


def test_a_positional_host_in_a_test_only_function_is_info() -> None:
    code = 'def create_test_cache():\n    return redis.Redis("10.0.3.17", 6379)\n'
    assert _found(code, "app/services/clients.py", "BG204") == [(2, Severity.INFO)]


# -- BG204: host lists, `host:port`, Kafka brokers, HTTP base URLs (probe A2-A5) -----------

@pytest.mark.parametrize(("code", "hosts"), [
    ('es = Elasticsearch(["http://es1.prod.internal:9200"])\n', ["es1.prod.internal"]),
    ('es = Elasticsearch(hosts=["es1.prod.internal:9200", "es2.prod.internal:9200"])\n',
     ["es1.prod.internal", "es2.prod.internal"]),
    ('p = KafkaProducer(bootstrap_servers="kafka1.prod.internal:9092")\n',
     ["kafka1.prod.internal"]),
    ('p = KafkaProducer(bootstrap_servers=["10.0.3.17:9092", "10.0.3.18:9092"])\n',
     ["10.0.3.17", "10.0.3.18"]),
    ('p = KafkaConsumer("events", bootstrap_servers="k1.prod.internal:9092,k2.prod.internal:9092")\n',
     ["k1.prod.internal", "k2.prod.internal"]),
    ('r = redis.Redis(host="10.0.3.17:6379")\n', ["10.0.3.17"]),
    ('c = psycopg2.connect(host="db.prod.internal:5432")\n', ["db.prod.internal"]),
    ('c = httpx.AsyncClient(base_url="https://billing.prod.internal")\n',
     ["billing.prod.internal"]),
    ('c = httpx.Client(base_url="http://10.0.3.17:8080")\n', ["10.0.3.17"]),
])
def test_host_lists_ports_brokers_and_internal_base_urls(code: str, hosts: list[str]) -> None:
    messages = _messages(code, "app/services/clients.py", "BG204")
    assert [host for host, message in zip(hosts, messages) if f"`{host}`" in message] == hosts
    assert len(messages) == len(hosts)


@pytest.mark.parametrize("code", [
    'es = Elasticsearch(["http://localhost:9200"])\n',
    'es = Elasticsearch(hosts=[settings.ES_URL])\n',
    'p = KafkaProducer(bootstrap_servers="localhost:9092")\n',
    'p = KafkaProducer(bootstrap_servers=settings.KAFKA_SERVERS)\n',
    'r = redis.Redis(host="127.0.0.1:6379")\n',
    'c = httpx.AsyncClient(base_url="http://localhost:8000")\n',
    'c = httpx.AsyncClient(base_url="https://api.example.com")\n',
    # a vendor's public API is the same host in every environment
    'c = httpx.AsyncClient(base_url="https://api.numeralhq.com")\n',
    'c = httpx.AsyncClient(base_url="https://challenges.cloudflare.com/turnstile/v0")\n',
    'c = httpx.AsyncClient(base_url=settings.billing_url)\n',
])
def test_loopback_examples_settings_and_public_apis_stay_clean(code: str) -> None:
    assert _found(code, "app/services/clients.py", "BG204") == []


def test_host_lists_in_a_dev_file_are_info() -> None:
    code = 'p = KafkaProducer(bootstrap_servers=["kafka1.prod.internal:9092"])\n'
    assert _found(code, "app/settings_dev.py", "BG204") == [(1, Severity.INFO)]
