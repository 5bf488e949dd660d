import signal
import subprocess
import sys

import httpx
import pytest
from tests.processes import free_port, wait_until_healthy

from cpniguard.cli.context import is_loopback


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


def run_serve(environment, *arguments):
    return subprocess.run(
        [sys.executable, "-m", "cpniguard.cli.serve", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "cpniguard.example.org"])  # noqa: S104
def test_serve_refuses_to_listen_beyond_loopback_outside_production(cli_environment, host):
    port = free_port()
    result = run_serve(cli_environment, "--host", host, "--port", str(port))
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert f"refusing to listen on {host} in the test environment" in message
    assert "CPNIGUARD_ENVIRONMENT=production" in message
    assert "Traceback" not in result.stderr
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("10.0.0.5", False),
        ("cpniguard.example.org", False),
        ("", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine_only(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_listens_on_every_interface_in_production(cli_environment, tmp_path):
    production = {
        **cli_environment,
        "CPNIGUARD_ENVIRONMENT": "production",
        "CPNIGUARD_SECURITY__SIGNING_KEY": "production-signing-key-" + "s" * 40,
    }
    port = free_port()
    log = tmp_path / "production.log"
    command = [sys.executable, "-m", "cpniguard.cli.serve", "--host", "0.0.0.0", "--port", str(port)]  # noqa: S104
    with (
        log.open("w") as output,
        subprocess.Popen(command, env=production, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert "refusing" not in log.read_text()
