"""The environment of an ansible-playbook run against the test service, shared by the e2e and release tests and
the benchmarks: nothing AWS_, ANSIBLE_ or EC2_ from outside, seed.lightsail from the given collections path,
quiet and colourless output, scratch state under ``workdir``, then the AWS_ settings of ``service_env`` (the
test service's endpoint and credentials) and any extras (an extra set to None is removed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
JSON_CALLBACK = "ansible.posix.json"


def ansible_environment(workdir, collections_path, service_env, callback=None, extra=None) -> dict:
    """callback: the stdout callback (None: ansible-core's default)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_", "EC2_"))}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        ANSIBLE_ROLES_PATH=str(REPO_ROOT / "roles"),
        ANSIBLE_HOME=str(Path(workdir) / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(Path(workdir) / "ansible-tmp"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        PATH="%s%s%s" % (BIN_DIR, os.pathsep, os.environ.get("PATH", "")),
    )
    if callback:
        env["ANSIBLE_STDOUT_CALLBACK"] = callback
    env.update((key, value) for key, value in service_env.items() if key.startswith("AWS_"))
    env.update(extra or {})
    return {key: value for key, value in env.items() if value is not None}
