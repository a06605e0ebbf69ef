"""The layout check (BG401-BG406) on small multi-file projects under fixtures/layout/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend_gate.api import check, option_schema
from backend_gate.config import parse_table
from backend_gate.model import Finding, Severity
from backend_gate.rules._imports import import_facts
from backend_gate.rules._layers import module_names

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "layout"


def _layout(scenario: str, table: dict[str, Any] | None = None) -> list[Finding]:
    root = FIXTURES / scenario
    config = parse_table({"select": ["BG4"], "test-patterns": [], **(table or {})}, root=root,
                         file=None, schema=option_schema())
    report = check([root], config.with_overrides(cache=False), jobs=1)
    return sorted((f for f in report.findings if f.rule.startswith("BG4")),
                  key=lambda f: (f.rule, f.path, f.line))


def _where(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    return [(f.rule, f.path, f.line, f.column) for f in findings]


def _tree_report(tmp_path: Path, files: dict[str, str], select: str) -> Any:
    """The report on a project of `files` written under `tmp_path`, `select` only."""
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    config = parse_table({"select": [select], "test-patterns": []}, root=tmp_path, file=None,
                         schema=option_schema())
    return check([tmp_path], config.with_overrides(cache=False), jobs=1)


@pytest.mark.parametrize("scenario", ["flat", "type_checking_cycle"])
def test_clean_layered_projects_have_no_layout_findings(scenario: str) -> None:
    assert _layout(scenario) == []


def test_src_layout_upward_relative_import() -> None:
    findings = _layout("src_layout")
    assert _where(findings) == [("BG402", "src/shop/repos/orders.py", 1, 1)]
    assert "shop.services.users" in findings[0].message
    assert "a repositories module" in findings[0].message


def test_cycle_reported_once_with_the_whole_path_and_every_import() -> None:
    findings = _layout("cycle")
    assert _where(findings) == [("BG404", "app/services/a.py", 1, 1)]
    assert ("app.services.a → app.services.b → app.services.c → app.services.a"
            in findings[0].message)
    assert findings[0].cause_lines == (
        ("app/services/a.py", 1), ("app/services/b.py", 1), ("app/services/c.py", 1),
    )


def test_library_without_layers_gets_one_info() -> None:
    findings = _layout("library")
    assert _where(findings) == [("BG401", "mylib/__init__.py", 1, 1)]
    assert findings[0].severity is Severity.INFO
    assert "controllers" in findings[0].message and "repositories" in findings[0].message


def test_missing_required_layer_is_an_error() -> None:
    findings = _layout("missing_repositories")
    assert _where(findings) == [("BG401", "app/__init__.py", 1, 1)]
    assert findings[0].severity is Severity.ERROR
    assert "no repositories layer" in findings[0].message


def test_required_option_narrows_the_layers() -> None:
    table = {"missing-layer": {"required": ["controllers", "services"]}}
    assert _layout("missing_repositories", table) == []


def test_repository_importing_a_controller() -> None:
    findings = _layout("upward_import")
    assert _where(findings) == [("BG402", "app/repositories/audit.py", 1, 1)]
    assert "app.controllers.users" in findings[0].message


def test_controller_importing_a_repository_skips_the_service_layer() -> None:
    findings = _layout("controller_repository")
    assert _where(findings) == [("BG402", "app/controllers/admin.py", 2, 1)]
    assert "go through the services layer" in findings[0].message


def test_controller_importing_an_orm_session() -> None:
    findings = _layout("controller_session")
    assert _where(findings) == [("BG403", "app/controllers/reports.py", 2, 36)]
    assert "sqlalchemy.orm.Session" in findings[0].message


def test_custom_layers_option() -> None:
    table = {"missing-layer": {"layers": ["web = web", "core = core"], "required": ["web"]}}
    findings = _layout("flat", table)
    assert _where(findings) == [("BG401", "app/__init__.py", 1, 1)]
    assert "top to bottom: web (web); core (core)" in findings[0].message
    table = {"missing-layer": {"layers": ["web = controllers", "data = repos"]}}
    findings = _layout("flat", {"missing-layer": {**table["missing-layer"], "required": ["data"]}})
    assert "no data layer (found web)" in findings[0].message


@pytest.mark.parametrize(("paths", "expected"), [
    (["src/pkg/__init__.py", "src/pkg/a.py"],
     {"src/pkg/__init__.py": "pkg", "src/pkg/a.py": "pkg.a"}),
    (["pkg/__init__.py", "pkg/a.py"], {"pkg/__init__.py": "pkg", "pkg/a.py": "pkg.a"}),
    (["backend/app/__init__.py", "backend/app/x/__init__.py", "backend/app/x/y.py"],
     {"backend/app/__init__.py": "app", "backend/app/x/__init__.py": "app.x",
      "backend/app/x/y.py": "app.x.y"}),
    (["src/tool.py", "scripts/run.py"], {"src/tool.py": "tool", "scripts/run.py": "scripts.run"}),
])
def test_module_names_from_paths(paths: list[str], expected: dict[str, str]) -> None:
    assert module_names(paths) == expected


def test_import_facts_mark_type_checking_and_deferred_imports() -> None:
    code = ("import os, a.b\nfrom ..x import y as z\nif TYPE_CHECKING:\n    import t\nelse:\n"
            "    import u\ndef f():\n    import d\n")
    assert import_facts(code) == [
        ("os", (), 0, 1, 1, False, False), ("a.b", (), 0, 1, 1, False, False),
        ("x", ("y",), 2, 2, 1, False, False), ("t", (), 0, 4, 5, True, False),
        ("u", (), 0, 6, 5, False, False), ("d", (), 0, 8, 5, False, True),
    ]


def test_large_module_and_god_class_limits() -> None:
    from backend_gate.api import check_source

    code = "class UserService:\n" + "".join(
        f"    def m{i}(self):\n        return {i}\n" for i in range(4))
    table = {"god-class": {"max-public-methods": 3}, "large-module": {"max-lines": 5}}
    report = check_source(code, "app/services/users.py", table)
    assert sorted((f.rule, f.line) for f in report.findings if f.rule.startswith("BG4")) == [
        ("BG401", 1), ("BG405", 1), ("BG406", 1)]


def test_test_folders_do_not_make_layers(tmp_path: Path) -> None:
    for path in ("mylib/__init__.py", "tests/controllers/test_users.py",
                 "tests/services/test_users.py", "tests/repositories/test_users.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x = 1\n", encoding="utf-8")
    config = parse_table({"select": ["BG401"], "test-patterns": []}, root=tmp_path, file=None,
                         schema=option_schema())
    report = check([tmp_path], config.with_overrides(cache=False), jobs=1)
    assert [(f.rule, f.severity) for f in report.findings] == [("BG401", Severity.INFO)]


def _bg4(code: str, path: str, table: dict[str, Any] | None = None) -> list[tuple[str, int]]:
    from backend_gate.api import check_source

    report = check_source(code, path, table or {})
    return sorted((f.rule, f.line) for f in report.findings if f.rule in {"BG405", "BG406"})


def test_declarative_module_is_not_a_large_module() -> None:
    """Forms, tables, choice sets and schemas: lines of fields are not logic (issue 17)."""
    fields = "".join(f"    field_{i} = forms.CharField(required=False)\n" for i in range(60))
    code = "from django import forms\n\n" + "".join(
        f"\n\nclass Form{n}(forms.Form):\n    \"\"\"A form.\"\"\"\n{fields}"
        f"    class Meta:\n        fields = ('a',)\n" for n in range(15))
    assert code.count("\n") > 800
    assert _bg4(code, "app/forms/bulk_edit.py") == []


def test_large_module_counts_logic_and_says_so() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(8))
    code = "import os\n\n" + "".join(f"\n\ndef f{n}():\n{body}    return os\n" for n in range(90))
    from backend_gate.api import check_source

    findings = [f for f in check_source(code, "app/services/big.py", {}).findings
                if f.rule == "BG406"]
    assert [(f.line, f.column) for f in findings] == [(1, 1)]
    assert "lines of logic" in findings[0].message


def test_orm_model_attributes_are_not_public_methods() -> None:
    """`declared_attr`, properties and setters of an ORM model are attributes (issue 17)."""
    attrs = "".join(f"    @declared_attr\n    def rel{i}(cls):\n        return relationship('X')\n"
                    f"    @property\n    def p{i}(self):\n        return {i}\n"
                    f"    @p{i}.setter\n    def p{i}(self, value):\n        pass\n"
                    for i in range(10))
    methods = "".join(f"    def m{i}(self):\n        return {i}\n" for i in range(5))
    code = f"class Transaction(Base):\n    id = Column(Integer)\n{attrs}{methods}"
    assert _bg4(code, "app/models/transaction.py") == []
    many = "".join(f"    def m{i}(self):\n        return {i}\n" for i in range(21))
    assert _bg4(f"class Transaction(Base):\n{attrs}{many}", "app/models/transaction.py") == [
        ("BG405", 1)]


def test_feature_folders_are_layers_and_an_endpoint_importing_a_repository_is_found() -> None:
    """`<feature>/endpoints.py`, `service.py`, `repository.py` (polar's shape): the layers are
    there (no BG401), and the one endpoint that imports a repository directly is reported."""
    findings = _layout("feature_folders")
    assert _where(findings) == [("BG402", "app/users/endpoints.py", 3, 1)]
    assert "app.orders.repository" in findings[0].message


def test_django_project_organised_the_framework_way_gets_one_info() -> None:
    """Apps with models/views/urls, an AppConfig and a management command under `api/`: one
    `info` on how to declare layers, no error, no BG403 for code that handles no request."""
    findings = _layout("django_project")
    assert [(f.rule, f.severity) for f in findings] == [("BG401", Severity.INFO)]
    assert "layers" in findings[0].message and "[tool.backend-gate" in findings[0].message


def test_view_running_its_own_sql_is_still_a_controller_finding() -> None:
    from backend_gate.api import check_source

    view = ("from django.db import connection\n\n\ndef report(request):\n"
            "    with connection.cursor() as cursor:\n"
            "        cursor.execute('SELECT id FROM users WHERE active')\n"
            "        return cursor.fetchall()\n")
    report = check_source(view, "api/views.py", {})
    assert [(f.rule, f.line) for f in report.findings if f.rule == "BG403"] == [("BG403", 1)]


def test_blueprint_registration_is_not_a_cycle_but_a_shared_helper_is() -> None:
    """A package that defines a Blueprint, then imports its route modules, which import only
    the blueprint back: Flask's registration idiom, not a cycle (issue 17). A route module
    that also takes a helper from the package is still one."""
    findings = _layout("blueprint_registration", {"select": ["BG404"]})
    assert _where(findings) == [("BG404", "app/reports/__init__.py", 10, 1)]
    assert "app.reports → app.reports.daily → app.reports" in findings[0].message


def test_a_lone_layer_named_module_is_not_a_feature_folder(tmp_path: Path) -> None:
    """`app/crud.py` next to no other layer module, `tables/services.py` (network services),
    `utilities/views.py`: a feature folder holds modules of two layers or more."""
    files = {
        "app/__init__.py": "", "app/models.py": "class User: ...\n",
        "app/crud.py": "from app.models import User\n",
        "app/api/__init__.py": "", "app/api/users.py": "from app import crud\n",
        "app/tables/__init__.py": "", "app/tables/services.py": "x = 1\n",
        "app/utilities/__init__.py": "", "app/utilities/views.py": "y = 1\n",
        "app/utilities/api.py": "from app.tables.services import x\n",
    }
    report = _tree_report(tmp_path, files, "BG4")
    assert [(f.rule, f.severity) for f in report.findings] == [("BG401", Severity.INFO)]


def test_controller_by_module_name_must_handle_requests() -> None:
    """`orders/endpoints.py` or a lone `api.py` is a controller for BG403 only when it defines
    a request handler: a library's `api.py` that opens sqlite is not."""
    from backend_gate.api import check_source

    library = "import sqlite3\n\n\ndef connect(path):\n    return sqlite3.connect(path)\n"
    assert [f.rule for f in check_source(library, "mylib/api.py", {}).findings
            if f.rule == "BG403"] == []
    endpoint = ("import sqlite3\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                "@router.get('/x')\ndef read():\n    return sqlite3.connect('db').execute('x')\n")
    assert [(f.rule, f.line) for f in check_source(endpoint, "orders/endpoints.py", {}).findings
            if f.rule == "BG403"] == [("BG403", 1)]


def test_markup_written_as_nested_with_blocks_is_not_logic() -> None:
    """A component tree (`with tag.div(...): with tag.span(...): text(...)`, tagflow or
    dominate style) is markup; `with transaction.atomic(): save()` stays logic."""
    card = ("        with tag.div(classes='card'):\n            with tag.h2():\n"
            "                text('Title')\n            with tag.p(classes='body'):\n"
            "                text('Body')\n")
    code = "from tagflow import tag, text\n\n\ndef render(org):\n" + card * 170
    assert code.count("\n") > 800
    assert _bg4(code, "app/views/detail.py") == []
    logic = ("        with transaction.atomic():\n            save(org)\n"
             "            audit(org)\n            notify(org)\n            log(org)\n")
    assert _bg4("def run(org):\n" + logic * 170, "app/services/run.py") == [("BG406", 1)]


def test_god_service_in_a_feature_module_is_found() -> None:
    """`orders/service.py` is the services layer of its feature (polar's shape)."""
    many = "".join(f"    async def m{i}(self):\n        return {i}\n" for i in range(21))
    assert _bg4(f"class OrderService:\n{many}", "orders/service.py") == [("BG405", 1)]
    assert _bg4(f"class Client:\n{many}", "mylib/api.py") == []


def _cycles_in(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int, int]]:
    report = _tree_report(tmp_path, files, "BG404")
    return _where([f for f in report.findings if f.rule == "BG404"])


def test_a_models_package_re_exporting_its_modules_in_order_is_not_a_cycle(
    tmp_path: Path,
) -> None:
    """wger's `manager/models/__init__.py`: the package imports its modules one by one and a
    later module takes an earlier one's class back from the package; the name is bound before
    the line that imports the module, so the order is fixed by construction."""
    files = {
        "shop/__init__.py": "",
        "shop/models/__init__.py": ("from .base import AbstractConfig\n"
                                    "from .weight import WeightConfig\n"),
        "shop/models/base.py": "class AbstractConfig: ...\n",
        "shop/models/weight.py": ("from shop.models import AbstractConfig\n\n\n"
                                  "class WeightConfig(AbstractConfig): ...\n"),
    }
    assert _cycles_in(tmp_path, files) == []


def test_a_module_taking_a_name_the_package_binds_later_is_a_cycle(tmp_path: Path) -> None:
    """The same package, but the first module takes the second's class back: importing the
    package fails, a real cycle."""
    files = {
        "shop/__init__.py": "",
        "shop/models/__init__.py": ("from .base import AbstractConfig\n"
                                    "from .weight import WeightConfig\n"),
        "shop/models/base.py": "from shop.models import WeightConfig\n\n\nclass AbstractConfig: ...\n",
        "shop/models/weight.py": ("from shop.models import AbstractConfig\n\n\n"
                                  "class WeightConfig(AbstractConfig): ...\n"),
    }
    assert _cycles_in(tmp_path, files) == [("BG404", "shop/models/__init__.py", 1, 1)]


def test_a_controller_may_take_a_sentinel_from_a_plain_private_module(tmp_path: Path) -> None:
    """mealie's base controller takes `NOT_SET` from `repos/_utils.py`, a module that imports
    nothing: it reaches no database, so no layer is skipped. A private module of the layer
    that imports the database library is a repository like any other."""
    files = {
        "app/__init__.py": "", "app/controllers/__init__.py": "",
        "app/services/__init__.py": "", "app/services/users.py": "x = 1\n",
        "app/repositories/__init__.py": "",
        "app/repositories/_utils.py": ("import enum\n\n\nclass NotSet: ...\n\n\n"
                                       "NOT_SET = NotSet()\n"),
        "app/repositories/_base.py": "import sqlalchemy\n\n\ndef rows(s): ...\n",
        "app/controllers/users.py": ("from app.repositories._utils import NOT_SET\n"
                                     "from app.repositories._base import rows\n"),
    }
    report = _tree_report(tmp_path, files, "BG402")
    assert _where([f for f in report.findings if f.rule == "BG402"]) == [
        ("BG402", "app/controllers/users.py", 2, 1)]


def test_a_feature_folder_may_hold_its_services_as_a_package(tmp_path: Path) -> None:
    """flaskbb: `user/views.py` beside `user/services/`: the views are the feature's
    controllers, so the project has controllers and services and lacks repositories (an
    error that names what it found), not "no controllers"."""
    files = {
        "forum/__init__.py": "", "forum/views.py": "x = 1\n",
        "user/__init__.py": "", "user/views.py": "from user.services.signup import f\n",
        "user/services/__init__.py": "", "user/services/signup.py": "def f(): ...\n",
    }
    findings = _tree_report(tmp_path, files, "BG401").findings
    assert [(f.rule, f.severity) for f in findings] == [("BG401", Severity.ERROR)]
    assert "no repositories layer (found controllers, services)" in findings[0].message
