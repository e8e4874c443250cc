"""Fetch queue -> an asset's `url` fetched and stored as its upload (ingest then decides it)."""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, queued_work, tracer
from imagegraphics.service.fetch import fetch_asset
from imagegraphics.service.messages import request_id_of

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def record_handler(record: SQSRecord) -> str:
    with queued_work(request_id_of(record.body), ("asset_id", "tenant")):  # the create request's id
        return fetch_asset(record.body, int(record.attributes.approximate_receive_count or 1))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
