"""BG203 decides on Python's ast (issue 19): the places, messages and severities its libcst
version gave, pinned (settings scopes, `__main__` guards, dev runners, CLI commands, Flask
configuration, environment defaults, parameters defaulting to True, context files and
functions, unicode before the place)."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

# (path, code, [(line, column, end line, end column, severity, what)]), as libcst placed them
CASES = [
    ('app/settings.py', 'DEBUG = True\n',
     [(1, 9, 1, 13, 'error', '`DEBUG = True` in settings')]),
    ('app/settings.py', 'class ProdConfig(Config):\n    DEBUG = True\n',
     [(2, 13, 2, 17, 'error', '`DEBUG = True` in settings')]),
    ('app/settings.py', 'é = 1; DEBUG = True\n',
     [(1, 16, 1, 20, 'error', '`DEBUG = True` in settings')]),
    ('app/main.py', "app = FastAPI(title='x',\n    debug=True,\n)\n",
     [(2, 5, 2, 15, 'error', '`FastAPI(debug=True)`')]),
    ('app/main.py', "uvicorn.run('a:app', reload=True)\n",
     [(1, 22, 1, 33, 'warning', '`uvicorn.run(reload=True)` outside an `if __name__ == "__main__":` guard')]),
    ('app/main.py', "def main():\n    uvicorn.run('a:app', reload=True)\n\nif __name__ == '__main__':\n    main()\n",
     [(2, 26, 2, 37, 'info', '`uvicorn.run(reload=True)` outside an `if __name__ == "__main__":` guard')]),
    ('app/main.py', "def main():\n    uvicorn.run('a:app', reload=True)\n",
     [(2, 26, 2, 37, 'warning', '`uvicorn.run(reload=True)` outside an `if __name__ == "__main__":` guard')]),
    ('app/cli.py', "@cli.command()\ndef serve():\n    uvicorn.run('a:app', reload=True)\n",
     [(3, 26, 3, 37, 'info', '`uvicorn.run(reload=True)` outside an `if __name__ == "__main__":` guard')]),
    ('app/settings.py', "DEBUG = envbool('APP_DEBUG', 'True')\n",
     [(1, 9, 1, 37, 'error', '`envbool(...)` turns debug on when the environment says nothing')]),
    ('app/main.py', "app.config['TESTING'] = True\n",
     [(1, 25, 1, 29, 'error', '`config["TESTING"]` switched on in code')]),
    ('app/main.py', 'app.config.update(SECRET_KEY=k, DEBUG=True, TESTING=True)\n',
     [(1, 33, 1, 43, 'error', '`app.config.update(DEBUG=...)` switches it on in code'), (1, 45, 1, 57, 'error', '`app.config.update(TESTING=...)` switches it on in code')]),
    ('app/main.py', 'def run(app, debug=True):\n    socketio.run(app, debug=debug)\n',
     [(1, 20, 1, 24, 'error', '`socketio.run(debug=...)` gets a parameter defaulting to True')]),
    ('app/main.py', 'def run(debug=True, /):\n    socketio.run(app, debug=debug)\n',
     []),
    ('app/main.py', 'def create_test_app():\n    return Flask(__name__, debug=True)\n',
     [(2, 28, 2, 38, 'info', '`Flask(debug=True)`')]),
    ('docs/conf.py', 'DEBUG = True\napp = FastAPI(debug=True)\n',
     [(2, 15, 2, 25, 'info', '`FastAPI(debug=True)`')]),
    ('app/main.py', "x = {\n  'a': FastAPI(\n     debug=True)}\n",
     [(3, 6, 3, 16, 'error', '`FastAPI(debug=True)`')]),
    ('app/settings.py', 'DEBUG = (True)\n',
     [(1, 10, 1, 14, 'error', '`DEBUG = True` in settings')]),
    # the probe's shapes (tests/rules/test_debug_host_probe.py): placed at the default
    ('app/core/config.py', 'class Settings(BaseSettings):\n    debug: bool = Field(default=True)\n',
     [(2, 33, 2, 37, 'error', '`debug: ... = True` in settings')]),
    ('app/settings.py', 'env = environ.Env(DEBUG=(bool, True))\n',
     [(1, 19, 1, 37, 'error', '`environ.Env(DEBUG=...)` turns debug on when the environment says nothing')]),
    ('app/main.py', 'DEBUG = True\n\napp.run(debug=DEBUG)\n',
     [(1, 9, 1, 13, 'error', '`app.run(debug=...)` gets a module constant set to True')]),
    ('app/main.py', 'create_app().run(debug=True)\n',
     [(1, 18, 1, 28, 'error', '`create_app().run(debug=True)`')]),
    ('app/main.py', 'asyncio.run(main(), debug=True)\n', []),]


@pytest.mark.parametrize(("path", "code", "expected"), CASES)
def test_places_and_messages_are_the_libcst_versions(path: str, code: str,
                                                     expected: list) -> None:
    report = check_source(code, path, {"select": ["BG203"]})
    found = [(f.line, f.column, f.end_line, f.end_column, f.severity.value,
              f.message.split(": read the switch")[0])
             for f in report.findings if f.rule == "BG203"]
    assert found == [tuple(e) for e in expected]
