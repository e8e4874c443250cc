"""What the local stack needs to know from template.yaml: functions, their API routes and queue sources.

Reading the template (rather than a second list of routes) keeps the local gateway and pumps from
drifting away from what SAM deploys.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short tags (!Ref, !GetAtt, !Sub...) as their long form."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path | str = TEMPLATE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - a SafeLoader subclass


# What CloudFormation's pseudo parameters are locally (moto's account and region).
PSEUDO_PARAMETERS = {"AWS::Region": "us-east-1", "AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws",
                     "AWS::AccountId": "123456789012"}


def template_parameters(template: dict[str, Any], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Every parameter at its default, then the overrides, each checked as CloudFormation checks it."""
    declared = template.get("Parameters", {})
    values = {name: str(p["Default"]) for name, p in declared.items() if "Default" in p}
    for name, value in (overrides or {}).items():
        spec = declared.get(name)
        if spec is None:
            raise ValueError(f"{name} is not a parameter of the template ({', '.join(sorted(declared))})")
        pattern, allowed = spec.get("AllowedPattern"), spec.get("AllowedValues")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ValueError(f"parameter {name}={value!r}: {spec.get('ConstraintDescription') or pattern}")
        if allowed is not None and value not in [str(v) for v in allowed]:
            raise ValueError(f"parameter {name}={value!r}: one of {', '.join(map(str, allowed))}")
        values[name] = str(value)
    return values


class Values:
    """Template expressions made of parameters, pseudo parameters and conditions, resolved as
    CloudFormation would: Ref, Fn::Sub (of those), Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]):
        self.values = {**PSEUDO_PARAMETERS, **parameters}
        self.conditions = template.get("Conditions", {})

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            raise ValueError(f"no condition {name} in the template")
        return bool(self.resolve(self.conditions[name]))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        (kind, arg), = value.items()
        if kind == "Ref":
            if arg not in self.values:
                raise ValueError(f"!Ref {arg}: not a parameter (resources are not resolved here)")
            return self.values[arg]
        if kind == "Fn::Sub" and isinstance(arg, str):
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self.resolve({"Ref": m.group(1)}), arg)
        if kind == "Fn::If":
            name, then, otherwise = arg
            return self.resolve(then if self.condition(name) else otherwise)
        if kind == "Fn::Equals":
            left, right = (self.resolve(v) for v in arg)
            return str(left) == str(right)
        if kind == "Fn::Not":
            return not self.resolve(arg[0])
        if kind == "Fn::And":
            return all(self.resolve(v) for v in arg)
        if kind == "Fn::Or":
            return any(self.resolve(v) for v in arg)
        if kind == "Condition":
            return self.condition(arg)
        return {kind: self.resolve(arg)}


def ref_target(value: Any) -> str | None:
    """Logical id named by {"Fn::GetAtt": [X, "Arn"]} or {"Ref": X}; None for anything else."""
    if isinstance(value, dict):
        target = value.get("Fn::GetAtt") or value.get("Ref")
        return target[0] if isinstance(target, list) else target
    return None


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    path: str  # API Gateway resource path, e.g. /api/v1/assets/{asset_id}
    authorized: bool = True


@dataclass(frozen=True)
class QueueSource:
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int = 10
    report_failures: bool = False


@dataclass
class FunctionSpec:
    logical_id: str
    name: str  # folder under functions/
    handler: str  # "app.lambda_handler"
    timeout: int = 3
    memory: int = 128
    environment: dict[str, Any] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    queues: list[QueueSource] = field(default_factory=list)
    path: Path | None = None  # set to run another file in place of functions/<name>/

    @property
    def source(self) -> Path:
        if self.path is not None:
            return self.path
        module = self.handler.rsplit(".", 1)[0].replace(".", "/")
        return ROOT / "functions" / self.name / f"{module}.py"

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class CorsSpec:
    """The Api's Cors: what SAM's mock OPTIONS methods answer a preflight with (values unquoted)."""

    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None  # None: each path's own methods and OPTIONS, as SAM lists them
    max_age: str | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class GatewayResponseSpec:
    """One of the Api's GatewayResponses: status, static headers (unquoted), JSON body template."""

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    template: str | None = None


@dataclass
class ApiSpec:
    stage: str = "Prod"
    authorizer_function: str | None = None  # logical id of the REQUEST authorizer's function
    identity_headers: tuple[str, ...] = ()  # API Gateway answers 401 itself when one is missing
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # template parameters (defaults, or as given)
    cors: CorsSpec | None = None
    gateway_responses: dict[str, GatewayResponseSpec] = field(default_factory=dict)

    def literal(self, value: Any) -> str | None:
        """A plain value, a !Ref to a parameter or a !Sub of parameters, as a string; None for anything else."""
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return self.parameters.get(value["Ref"])
        if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            names = re.findall(r"\$\{([^}!]+)\}", value["Fn::Sub"])
            if not all(name in self.parameters for name in names):
                return None
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self.parameters[m.group(1)], value["Fn::Sub"])
        if isinstance(value, bool):
            return str(value).lower()
        return None if isinstance(value, (dict, list)) or value is None else str(value)

    def static(self, value: Any) -> str | None:
        """A mapping value that is a static string ("'text'" in API Gateway's syntax), unquoted."""
        text = self.literal(value)
        if text is None or len(text) < 2 or text[0] != "'" or text[-1] != "'":
            return None
        return text[1:-1]


def _cors(api: ApiSpec, value: Any) -> CorsSpec | None:
    if value is None:
        return None
    config = value if isinstance(value, dict) and not ({"Ref", "Fn::Sub"} & set(value)) else {"AllowOrigin": value}
    origin = api.static(config.get("AllowOrigin"))
    if origin is None:
        return None
    return CorsSpec(origin, api.static(config.get("AllowHeaders")), api.static(config.get("AllowMethods")),
                    api.static(config.get("MaxAge")), config.get("AllowCredentials") is True)


def _gateway_responses(api: ApiSpec, value: dict) -> dict[str, GatewayResponseSpec]:
    responses = {}
    for kind, spec in (value or {}).items():
        headers = ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()
        status = api.literal(spec.get("StatusCode"))
        responses[kind] = GatewayResponseSpec(
            status=int(status) if status else None,
            headers=tuple((name, text) for name, v in headers if (text := api.static(v)) is not None),
            template=(spec.get("ResponseTemplates") or {}).get("application/json"))
    return responses


def _function_folder(logical_id: str, props: dict, resource: dict) -> str:
    code_uri = props.get("CodeUri")
    if isinstance(code_uri, str):
        return Path(code_uri.rstrip("/")).name
    docker_context = resource.get("Metadata", {}).get("DockerContext")
    dockerfile = resource.get("Metadata", {}).get("Dockerfile", "")
    for candidate in (dockerfile, docker_context):
        if isinstance(candidate, str) and "functions/" in candidate:
            return candidate.split("functions/", 1)[1].split("/", 1)[0]
    return logical_id.removesuffix("Function").lower()


def _handler(props: dict) -> str:
    if isinstance(props.get("Handler"), str):
        return props["Handler"]
    command = props.get("ImageConfig", {}).get("Command") or ["app.lambda_handler"]
    return command[0]


def parse_api(template: dict, parameters: dict[str, str] | None = None) -> ApiSpec:
    """The API as deployed with these parameters (the template's defaults for the others)."""
    resources = template.get("Resources", {})
    glob = template.get("Globals", {}).get("Function", {})
    api = ApiSpec(parameters=template_parameters(template, parameters))
    default_authorized = False
    for res in resources.values():
        if res.get("Type") != "AWS::Serverless::Api":
            continue
        props = res.get("Properties", {})
        api.stage = api.literal(props.get("StageName")) or api.stage
        api.cors = _cors(api, props.get("Cors"))
        api.gateway_responses = _gateway_responses(api, props.get("GatewayResponses") or {})
        auth = props.get("Auth", {})
        default_name = auth.get("DefaultAuthorizer")
        authorizer = auth.get("Authorizers", {}).get(default_name) if default_name else None
        if authorizer:
            default_authorized = True
            api.authorizer_function = ref_target(authorizer.get("FunctionArn"))
            api.identity_headers = tuple(authorizer.get("Identity", {}).get("Headers", []))

    for logical_id, res in resources.items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties", {})
        env = dict(glob.get("Environment", {}).get("Variables", {}))
        env.update(props.get("Environment", {}).get("Variables", {}))
        spec = FunctionSpec(
            logical_id=logical_id,
            name=_function_folder(logical_id, props, res),
            handler=_handler(props),
            timeout=int(props.get("Timeout", glob.get("Timeout", 3))),
            memory=int(props.get("MemorySize", glob.get("MemorySize", 128))),
            environment=env,
        )
        for event in props.get("Events", {}).values():
            eprops = event.get("Properties", {})
            if event.get("Type") == "Api":
                authorizer = eprops.get("Auth", {}).get("Authorizer")
                authorized = default_authorized and authorizer != "NONE"
                spec.routes.append(Route(eprops["Method"].upper(), eprops["Path"], authorized))
            elif event.get("Type") == "SQS":
                spec.queues.append(QueueSource(
                    queue=ref_target(eprops.get("Queue")) or "",
                    batch_size=int(eprops.get("BatchSize", 10)),
                    report_failures="ReportBatchItemFailures" in eprops.get("FunctionResponseTypes", []),
                ))
        api.functions[logical_id] = spec
    return api
