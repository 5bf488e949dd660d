import signal
import subprocess
import sys

import httpx
import pytest
from tests.processes import free_port, wait_until_healthy


def issue_token_with_the_cli(environment, role="administrator"):
    result = subprocess.run(
        [sys.executable, "-m", "cpniguard.cli.tokens", "issue", "--role", role, "--label", "e2e serve"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "shown once" in result.stderr
    return result.stdout.strip()


@pytest.fixture
def server(cli_environment, tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "cpniguard.cli.serve", "--host", "127.0.0.1", "--port", str(port)]
    with (
        log.open("w") as output,
        subprocess.Popen(command, env=cli_environment, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base_url, process, log)
            yield base_url, process, log
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


def test_cpniguard_serve_answers_over_real_http_with_a_token_from_the_cli(server, cli_environment):
    base_url, process, log = server
    secret = issue_token_with_the_cli(cli_environment)
    me = httpx.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert me.status_code == 200
    assert me.json()["role"] == "administrator"
    assert me.json()["label"] == "e2e serve"
    assert httpx.get(f"{base_url}/health/ready", timeout=10).status_code == 200
    refused = httpx.get(f"{base_url}/api/v1/me", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "server" not in refused.headers

    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells it.
    assert process.wait(timeout=30) in {0, -signal.SIGTERM}
    output = log.read_text()
    assert "Application shutdown complete" in output
    assert "Traceback" not in output
    assert secret not in output
