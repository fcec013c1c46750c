"""Structured logs, EMF metrics and optional tracing for the Lambda entry points.

Powertools for AWS Lambda, only its Logger and Metrics (measured: ~20 ms of import on top of
what the handler already loads; its Tracer imports the X-Ray SDK and patches botocore, so it is
loaded only on stages that turn tracing on). Everything hooks in at the edges — the Lambda
handlers in ``functions/`` and botocore's event system — so services and resolvers stay as
they are; the local server (``make dev``) does not use this module.

- Logs: one JSON line per record on stdout, for the ``dangqun`` logger and its children
  (``dangqun.sweeper``…), with the Lambda request id, the API request id, the caller's kind, a
  correlation id (``x-correlation-id`` header, else the tracking code / case / topic / project
  the operation is about) and the cold-start flag.
- Metrics (namespace ``Dangqun``, dimensions service + stage) in the Embedded Metric Format:
  printed with the invocation's logs, extracted by CloudWatch, no API call in the request.
- Tracing: ``DANGQUN_TRACING=Active`` (serverless.yml ``params.tracing``) traces the handler and
  every DynamoDB call through X-Ray.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "dangqun"
NAMESPACE = "Dangqun"
THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
# GraphQL variables that name what an operation is about, in order of preference.
CORRELATION_VARIABLES = ("trackingCode", "code", "caseId", "topicId", "projectId", "id")
# Words of the query-limit rules' messages (schema/schema.py: depth, aliases, tokens).
LIMIT_WORDS = (
    "exceeds maximum operation depth",
    "aliases found. Allowed",
    "tokens. Parsing aborted",
)

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
metrics.set_default_dimensions(stage=os.environ.get("DANGQUN_STAGE", "dev"))


def tracing_enabled() -> bool:
    return os.environ.get("DANGQUN_TRACING", "").strip().lower() == "active"


def count_throttles(client: Any) -> None:
    """Count DynamoDB calls that still failed throttled after botocore's retries."""

    def after_call(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Error", {}).get("Code") in THROTTLING_CODES:
            metrics.add_metric(name="DynamoDBThrottled", unit=MetricUnit.Count, value=1)
            logger.warning("DynamoDB throttled a call", extra={"code": parsed["Error"]["Code"]})

    client.meta.events.register("after-call.dynamodb", after_call)


class _ColdStart:
    """True for the first invocation of one instrumented handler (one per container)."""

    def __init__(self) -> None:
        self.pending = True

    def invocation_keys(self, context: Any) -> dict[str, Any]:
        cold, self.pending = self.pending, False
        if cold:
            metrics.add_metric(name="ColdStart", unit=MetricUnit.Count, value=1)
        return {
            "cold_start": cold,
            "function_request_id": getattr(context, "aws_request_id", None),
        }


def _variables(body: dict[str, Any]) -> dict[str, Any]:
    variables = body.get("variables")
    if not isinstance(variables, dict):
        return {}
    nested = variables.get("input")
    return {**variables, **nested} if isinstance(nested, dict) else variables


def describe_request(event: dict[str, Any]) -> dict[str, Any]:
    """Who asks what: the keys every log line of the request carries."""
    headers = event.get("headers") or {}
    try:
        raw = event.get("body") or "{}"
        body = json.loads(base64.b64decode(raw) if event.get("isBase64Encoded") else raw)
    except ValueError:  # binascii.Error and JSONDecodeError are ValueErrors
        body = {}
    if not isinstance(body, dict):
        body = {}
    variables = _variables(body)
    correlation = headers.get("x-correlation-id") or next(
        (str(variables[name]) for name in CORRELATION_VARIABLES if variables.get(name)), None
    )
    query = body.get("query")
    return {
        "request_id": (event.get("requestContext") or {}).get("requestId"),
        "caller": "signed-in" if headers.get("authorization") else "anonymous",
        "correlation_id": correlation,
        "operation": body.get("operationName"),
        "mutation": isinstance(query, str) and query.lstrip().startswith("mutation"),
    }


def record_graphql_outcome(request: dict[str, Any], response: dict[str, Any]) -> None:
    """Metrics read off the response: the body is parsed only for mutations and for the rare
    query response with errors (only mutation payloads have an ``errors`` field)."""
    body_text = response.get("body") or ""
    status = int(response.get("statusCode") or 0)
    if status >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    if not (request["mutation"] or '"errors"' in body_text):
        return
    try:
        body = json.loads(body_text)
    except ValueError:
        return
    messages = [str(error.get("message", "")) for error in body.get("errors") or []]
    if any(word in message for message in messages for word in LIMIT_WORDS):
        metrics.add_metric(name="QueryLimitRefusals", unit=MetricUnit.Count, value=1)
    # By response key: an aliased reportCase is not counted.
    for field, payload in (body.get("data") or {}).items():
        if not isinstance(payload, dict):
            continue
        if payload.get("errors"):
            metrics.add_metric(name="MutationsRefused", unit=MetricUnit.Count, value=1)
        elif field == "reportCase" and (payload.get("case") or payload.get("errors") == []):
            metrics.add_metric(name="CasesReported", unit=MetricUnit.Count, value=1)


def instrument_graphql(handler: Handler) -> Handler:
    """The GraphQL Lambda handler with request logging, metrics and (optionally) tracing."""
    cold_start = _ColdStart()

    def instrumented(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logger.clear_state()
        request = describe_request(event)
        logger.append_keys(
            **cold_start.invocation_keys(context),
            request_id=request["request_id"],
            caller=request["caller"],
            correlation_id=request["correlation_id"],
        )
        started = time.perf_counter()
        try:
            response = handler(event, context)
            record_graphql_outcome(request, response)
            logger.info(
                "graphql request",
                extra={
                    "operation": request["operation"],
                    "status": response.get("statusCode"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _flush()

    return _traced(instrumented)


Recorder = Callable[[dict[str, Any], dict[str, Any]], None]


def _instrument_job(handler: Handler, record: Recorder) -> Handler:
    """A scheduled or stream handler: invocation keys on its logs, ``record(event, result)``
    turns its result into metrics."""
    cold_start = _ColdStart()

    def instrumented(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logger.clear_state()
        logger.append_keys(**cold_start.invocation_keys(context))
        try:
            result = handler(event, context)
            record(event, result)
            return result
        finally:
            _flush()

    return _traced(instrumented)


def _record_sweep(event: dict[str, Any], figures: dict[str, Any]) -> None:
    for name, key, unit in (
        ("TimersFired", "fired", MetricUnit.Count),
        ("TimersSkipped", "skipped", MetricUnit.Count),
        ("SweepItemsRead", "itemsRead", MetricUnit.Count),
        ("SweepLateness", "maxLatenessSeconds", MetricUnit.Seconds),
    ):
        metrics.add_metric(name=name, unit=unit, value=float(figures[key]))


def _record_deliveries(event: dict[str, Any], response: dict[str, Any]) -> None:
    records = len(event.get("Records") or [])
    failed = len(response.get("batchItemFailures") or [])
    metrics.add_metric(name="StreamRecords", unit=MetricUnit.Count, value=records)
    metrics.add_metric(name="DeliveriesFailed", unit=MetricUnit.Count, value=failed)


def instrument_sweeper(handler: Handler) -> Handler:
    """The sweeper handler: its figures become metrics (fired, skipped, items read, lateness)."""
    return _instrument_job(handler, _record_sweep)


def instrument_events(handler: Handler) -> Handler:
    """The delivery handler (table stream): records seen and records it failed (retried by
    Lambda, dead-lettered in the end)."""
    return _instrument_job(handler, _record_deliveries)


def _record_exports(event: dict[str, Any], response: dict[str, Any]) -> None:
    retried = len(response.get("batchItemFailures") or [])
    metrics.add_metric(name="ExportsRetried", unit=MetricUnit.Count, value=retried)


def instrument_exports(handler: Handler) -> Handler:
    """The export worker (table stream, new queued jobs): runs left to a retry (a crash, or a
    run stopped before its time limit that the retry continues)."""
    return _instrument_job(handler, _record_exports)


def _flush() -> None:
    """Print the invocation's metrics as one EMF record (nothing when there are none)."""
    if metrics.metric_set:
        metrics.flush_metrics()


def _traced(handler: Handler) -> Handler:
    if not tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service=SERVICE, patch_modules=("botocore",))
    traced: Handler = tracer.capture_lambda_handler(handler)
    return traced
