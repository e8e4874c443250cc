"""The operator page's commands name what exists: sam's functions and events, the Makefile's sam."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "docs" / "deploy-and-operate.md").read_text()
INVOKE = re.compile(r"^(\S*sam) local invoke (\w+) -e (events/\S+\.json) --env-vars env\.json", re.M)


def _functions() -> set[str]:
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # CloudFormation's short tags
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    return {name for name, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}


def test_every_sam_local_invoke_line_uses_the_makefiles_sam_a_real_function_and_event():
    lines = INVOKE.findall(README)
    assert lines
    functions = _functions()
    for sam, function, event in lines:
        assert sam == ".venv-sam/bin/sam"
        assert function in functions, function
        assert (ROOT / event).is_file(), event
    assert "SAM_VENV := .venv-sam" in (ROOT / "Makefile").read_text()


def test_every_event_and_every_function_with_one_has_a_line():
    named = {event for _, _, event in INVOKE.findall(README)}
    assert named == {f"events/{p.name}" for p in (ROOT / "events").glob("*.json")}
    assert {function for _, function, _ in INVOKE.findall(README)} == _functions()
