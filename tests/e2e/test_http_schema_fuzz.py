"""Schemathesis drives every operation of the published OpenAPI document with generated
input, valid and not: no input may make the API answer 500, responses keep to the
document, and every error is a problem detail."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance

from cpniguard.web.app import create_app

PROBLEM_MEDIA_TYPE = "application/problem+json"
EXAMPLES_PER_OPERATION = 30


def test_no_generated_request_gets_a_server_error(container, as_administrator):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        _fuzz(operation, GenerationMode.POSITIVE, as_administrator)
        if _takes_input(operation):
            _fuzz(operation, GenerationMode.NEGATIVE, as_administrator)


def _takes_input(operation):
    return bool(list(operation.query) or list(operation.body))


def _fuzz(operation, mode, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.headers = {**(case.headers or {}), **headers}  # authentication has its own tests
        response = case.call()
        case.validate_response(response, checks=[status_code_conformance, negative_data_rejection])
        assert response.status_code < 500, (operation.label, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith(PROBLEM_MEDIA_TYPE), operation.label

    run()
