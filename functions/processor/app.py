"""Jobs queue -> render one asset per message, once; partial batch failures go back to the queue."""
from imagegraphics import startup

startup.before_imports()  # the process renders: settings that must precede the engine's imports
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, queued_work, tracer
from imagegraphics.service.idempotency import run_once
from imagegraphics.service.messages import request_id_of
from imagegraphics.service.processing import process_job_message

startup.imports_done()

processor = BatchProcessor(event_type=EventType.SQS)
_context: dict = {}


@tracer.capture_method
def record_handler(record: SQSRecord) -> dict:
    with queued_work(request_id_of(record.body), ("job_id", "asset_id", "tenant")):  # the submit request's id
        return run_once(process_job_message, record.json_body, _context["lambda"])


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    _context["lambda"] = context
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
