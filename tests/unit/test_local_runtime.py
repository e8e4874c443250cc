"""The local runtime runs every function in one process: what Lambda keeps apart must stay apart."""
import json
import textwrap
import threading

from local import apigw
from local.runtime import LambdaFunction
from local.template import FunctionSpec

ECHO = textwrap.dedent('''
    import time
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    app = APIGatewayRestResolver()

    @app.post("/echo")
    def echo():
        first = app.current_event.body
        time.sleep(0.05)  # another request arrives meanwhile
        return {"first": first, "then": app.current_event.body}

    def lambda_handler(event, context):
        return app.resolve(event, context)
''')


def _event(body: str) -> dict:
    """The proxy event the local gateway would make of `POST /echo` with this body."""
    request = apigw.HttpRequest("POST", "/echo", "", [], body.encode())
    return apigw.proxy_event(apigw.base_event(request, "/echo", {}, "local"), request.body, None)


def _function(tmp_path, name: str) -> LambdaFunction:
    source = tmp_path / f"{name}.py"
    source.write_text(ECHO)
    return LambdaFunction(FunctionSpec(name.title(), name, "app.lambda_handler", path=source))


def test_two_http_functions_at_once_each_read_their_own_event(tmp_path):
    # Powertools keeps the event on its resolvers' base class, one per process.
    functions = [_function(tmp_path, "one"), _function(tmp_path, "two")]
    assert all(function.serves_http for function in functions)
    answers = {}

    def call(function, body):
        answers[body] = json.loads(function.invoke(_event(body))["body"])

    threads = [threading.Thread(target=call, args=(f, body)) for f, body in zip(functions, ("a", "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {"a": {"first": "a", "then": "a"}, "b": {"first": "b", "then": "b"}}


def test_queue_functions_are_not_held_to_one_at_a_time(tmp_path):
    source = tmp_path / "queue.py"
    source.write_text("def lambda_handler(event, context):\n    return {'batchItemFailures': []}\n")
    assert not LambdaFunction(FunctionSpec("Queue", "queue", "app.lambda_handler", path=source)).serves_http
