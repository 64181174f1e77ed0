"""Saring's Lambda entry points: routes and event handlers, wired to chalicelib."""

from chalice.app import Chalice, Cron, Rate

from chalicelib.api.access import access_middleware
from chalicelib.api.audit import audit
from chalicelib.api.cases import cases
from chalicelib.api.claims import claims
from chalicelib.api.exports import exports
from chalicelib.api.keys import keys
from chalicelib.api.lookup import lookup
from chalicelib.api.meta import meta
from chalicelib.api.problems import problem_middleware, request_id_of
from chalicelib.api.public import public
from chalicelib.api.referrals import referrals
from chalicelib.api.reports import reports
from chalicelib.api.sessions import sessions
from chalicelib.api.stats import stats
from chalicelib.api.uploads import uploads
from chalicelib.api.webhooks import webhooks
from chalicelib.config import get_settings
from chalicelib.observability import invocation

settings = get_settings()
app = Chalice(app_name="saring", configure_logs=False)
app.register_blueprint(meta)
app.register_blueprint(uploads)
app.register_blueprint(reports)
app.register_blueprint(lookup)
app.register_blueprint(claims)
app.register_blueprint(keys)
app.register_blueprint(webhooks)
app.register_blueprint(exports)
app.register_blueprint(stats)
app.register_blueprint(cases)
app.register_blueprint(audit)
app.register_blueprint(public)
app.register_blueprint(sessions)
app.register_blueprint(referrals)


@app.middleware("http")
def http_middleware(request, get_response):  # type: ignore[no-untyped-def]
    request_id = request_id_of(request, app.lambda_context)
    with invocation(request_id):
        # Problems outermost, so a refused key is answered like any other problem.
        response = problem_middleware(request, lambda inner: access_middleware(inner, get_response))
    response.headers["X-Request-Id"] = request_id
    return response


# Up to a second to gather a batch: checks queued, webhooks read and statistics counted a batch at a time.
@app.on_dynamodb_record(
    stream_arn=settings.reports_stream_arn,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    maximum_batching_window_in_seconds=1,
)
def report_stream(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.checks import on_report_stream

    return on_report_stream(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.check_queue_name, batch_size=10)
def check_reports(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.checks import on_check_messages

    return on_check_messages(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.webhook_queue_name, batch_size=10)
def deliver_webhooks(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.webhooks import on_webhook_messages

    return on_webhook_messages(event.to_dict(), event.context)


@app.on_sqs_message(queue=settings.verdict_queue_name, batch_size=1)
def spread_verdicts(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.cases import on_verdict_messages

    return on_verdict_messages(event.to_dict(), event.context)


@app.schedule(Rate(settings.sweep_minutes, unit=Rate.MINUTES))
def sweep_reports(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.checks import on_sweep_schedule

    return on_sweep_schedule(event.to_dict(), event.context)


@app.on_dynamodb_record(
    stream_arn=settings.claims_stream_arn,
    batch_size=1000,
    starting_position="TRIM_HORIZON",
    maximum_batching_window_in_seconds=1,
)
def claims_changed(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.claims import on_claims_changed

    return on_claims_changed(event.to_dict(), event.context)


@app.schedule(Rate(settings.fact_check_sync_hours, unit=Rate.HOURS))
def sync_claims(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.claims import on_sync_schedule

    return on_sync_schedule(event.to_dict(), event.context)


@app.schedule(Cron(15, 17, "*", "*", "?", "*"))  # 17:15 UTC is 00:15 WIB
def export_daily(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.exports import on_export_schedule

    return on_export_schedule(event.to_dict(), event.context)


# SES receives a complaint by e-mail, stores it in the data bucket (mail/incoming/), then invokes this.
@app.lambda_function(name="receive_mail")
def receive_mail(event, context):  # type: ignore[no-untyped-def]
    from chalicelib.events.mail import on_mail

    return on_mail(event, context)


# Every new audit entry is linked into its WIB day's hash chain (one shard at a time, in order).
@app.on_dynamodb_record(stream_arn=settings.audit_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def chain_audit(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.audit import on_audit_stream

    return on_audit_stream(event.to_dict(), event.context)


@app.schedule(Cron(20, 17, "*", "*", "?", "*"))  # 17:20 UTC is 00:20 WIB: the day that ended gets its seal
def seal_audit(event):  # type: ignore[no-untyped-def]
    from chalicelib.events.audit import on_seal_schedule

    return on_seal_schedule(event.to_dict(), event.context)
