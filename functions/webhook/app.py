"""Webhook queue -> POST each finished job's status, signed; a failed attempt is retried later."""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, queued_work, tracer
from imagegraphics.service.messages import request_id_of
from imagegraphics.service.webhooks import deliver

# A receiver refusing an attempt is reported as that message's failure, never as a function error
# (batches hold one message: Powertools would otherwise raise when "all" failed).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def record_handler(record: SQSRecord) -> str:
    with queued_work(request_id_of(record.body), ("job_id", "tenant", "delivery_id")):  # the job's request id
        return deliver(record.body, int(record.attributes.approximate_receive_count or 1), record.receipt_handle)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
