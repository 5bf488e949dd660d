import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance
from tests.e2e.conftest import bearer
from cpniguard.domain.employees import Role
from cpniguard.web.app import create_app

failures = []

def test_fuzz(container, tokens):
    headers = bearer(tokens[Role.COMPLIANCE_OFFICER])
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [o for o in ops if "consent" in o.path]
    print([o.label for o in ops])
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=op.as_strategy(generation_mode=mode))
            @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
            def run(case):
                case.headers = {**(case.headers or {}), **headers}
                r = case.call()
                try:
                    case.validate_response(r, checks=[status_code_conformance, negative_data_rejection])
                    assert r.status_code < 500, r.text
                except Exception as e:
                    failures.append((op.label, mode, r.status_code, r.text[:300], str(e)[:300], repr(case.body)[:300], case.query, case.path_parameters))
            try:
                run()
            except Exception as e:
                failures.append((op.label, "run", str(e)[:300]))
    seen=set()
    for f in failures:
        k=(f[0],f[2] if len(f)>2 else None, f[3][:80] if len(f)>3 else None)
        if k in seen: continue
        seen.add(k)
        print(f)
    assert not failures
