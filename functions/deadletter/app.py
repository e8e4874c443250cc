"""Jobs dead-letter queue -> the asset is recorded as failed, so its job still finishes."""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, queued_work, tracer
from imagegraphics.service.deadletter import record_dead_letter
from imagegraphics.service.messages import request_id_of

processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> bool:
    with queued_work(request_id_of(record.body), ("job_id", "asset_id", "tenant")):
        return record_dead_letter(record.body, record.attributes.approximate_receive_count)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
