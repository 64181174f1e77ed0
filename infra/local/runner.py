"""Event sources for the local stack: what Lambda's event source mappings and EventBridge do on AWS.

``chalice local`` serves HTTP only and moto never consumes streams or fires schedules, so this
runner polls the app's DynamoDB streams and SQS queues and fires its schedules, invoking the app's
own registered handlers with Lambda-shaped events and Lambda's semantics:

- batches up to the handler's ``batch_size``;
- partial batch responses (``batchItemFailures``): on a stream the batch is retried from the first
  failed record, on a queue only the failed messages return (after the visibility timeout);
- a handler that raises fails the whole batch;
- a stream batch that keeps failing is, after ``stream_max_retries``, sent to the stream's
  failure queue (like an on-failure destination) and skipped; queue messages go to the queue's
  dead-letter queue after its ``maxReceiveCount`` (the queue's redrive policy, which moto applies).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chalice.app import Chalice, Cron, DynamoDBEventConfig, Rate, ScheduledEventConfig, SQSEventConfig

from chalicelib.adapters.aws import client
from chalicelib.config import Settings
from chalicelib.observability import logger
from infra.local.journal import read_consumed, write_consumed

ACCOUNT = "000000000000"
INVOCATIONS_KEPT = 10_000  # a stack runs for days: keep the newest only
QUEUE_POLLERS = 3  # batches of one queue handled at once, unless ``queue_pollers`` names the queue's function
MAX_IDLE_SLEEP_SECONDS = 0.8  # the longest an idle source waits before it asks again
GATHER_POLL_SECONDS = 0.2  # within a stream's batching window, how often it asks for more records


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that handlers read."""

    function_name: str
    timeout_seconds: float = 60.0
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:{ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


def failure_ids(response: Any) -> list[str] | None:
    """The ``itemIdentifier``s of a partial batch response; None when everything succeeded."""
    if isinstance(response, dict) and response.get("batchItemFailures"):
        return [str(item["itemIdentifier"]) for item in response["batchItemFailures"]]
    return None


def inserts_not_consumed(data_dir: Path, table: str, key: str = "id") -> set[str]:
    """The ``key`` of every item whose INSERT the table's stream holds beyond what its consumer finished.

    After a restart the stream hands those records over again (``resume_plan``), so the consumer
    will act on each of them: what a re-drive at start must not ask for a second time.
    """
    consumed = (read_consumed(data_dir) or {}).get(table, -1)
    streams = client("dynamodbstreams")
    arn = client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    found: set[str] = set()
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        position: str | None = iterator["ShardIterator"]
        while position:
            answer = streams.get_records(ShardIterator=position, Limit=1000)
            records = answer["Records"]
            found.update(
                record["dynamodb"]["Keys"][key]["S"]
                for record in records
                if record["eventName"] == "INSERT" and int(record["dynamodb"]["SequenceNumber"]) > consumed
            )
            position = answer.get("NextShardIterator") if records else None
    return found


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    retry_batch: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0


class _StreamSource:
    def __init__(self, runner: EventSourceRunner, config: DynamoDBEventConfig) -> None:
        self.runner = runner
        self.config = config
        table = config.stream_arn.split(":table/", 1)[1].split("/", 1)[0]
        self.table = table
        self.stream_arn = client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.shards: dict[str, _Shard] = {}
        self.refresh_shards(config.starting_position)

    def refresh_shards(self, position: str) -> None:
        streams = client("dynamodbstreams")
        description = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            if shard["ShardId"] not in self.shards:
                iterator = streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position
                )["ShardIterator"]
                self.shards[shard["ShardId"]] = _Shard(shard["ShardId"], iterator)

    def poll(self) -> int:
        delivered = 0
        for shard in self.shards.values():
            batch = shard.retry_batch or self.gather(shard)
            if not batch:
                continue
            delivered += len(batch)
            self.deliver(shard, batch)
        return delivered

    def gather(self, shard: _Shard) -> list[dict[str, Any]]:
        """The shard's next records; once one has come, more for up to the source's batching window
        (Lambda's MaximumBatchingWindowInSeconds) or until the batch is full."""
        batch: list[dict[str, Any]] = []
        deadline = None
        while shard.iterator:
            answer = client("dynamodbstreams").get_records(
                ShardIterator=shard.iterator, Limit=self.config.batch_size - len(batch)
            )
            shard.iterator = answer.get("NextShardIterator")
            batch += [{**record, "eventSourceARN": self.stream_arn} for record in answer["Records"]]
            if not batch or len(batch) >= self.config.batch_size or not self.runner.batching_windows:
                break
            deadline = deadline or time.monotonic() + self.config.maximum_batching_window_in_seconds
            left = deadline - time.monotonic()
            if left <= 0 or self.runner.stopping(min(left, GATHER_POLL_SECONDS)):
                break
        return batch

    def deliver(self, shard: _Shard, batch: list[dict[str, Any]]) -> None:
        """Hand a batch to the handler; on failure keep what must be retried (see ``_first_failed``).

        With a parallelism above 1 for this source the batch is split by item, like Lambda's
        parallelization factor: the records of one item stay together and in order, in one of up
        to that many sub-batches handled at once; a failure retries its sub-batch from the failed
        record on.
        """
        groups = _by_item(batch, self.runner.stream_parallelism.get(self.config.name, 1))
        pool = self.runner.stream_pool
        firsts = [self._first_failed(batch)] if pool is None else list(pool.map(self._first_failed, groups))
        retry_ids = {
            id(record)
            for group, first in zip(groups, firsts, strict=True)
            if first is not None
            for record in group[first:]
        }
        if not retry_ids:
            shard.retry_batch, shard.retries = [], 0
            self.runner.finished(self.table, batch[-1])
            return
        shard.retry_batch = [record for record in batch if id(record) in retry_ids]
        shard.retries += 1
        if shard.retries > self.runner.stream_max_retries:
            self.runner.stream_batch_failed(self.config.name, self.stream_arn, shard.shard_id, shard.retry_batch)
            self.runner.finished(self.table, batch[-1])
            shard.retry_batch, shard.retries = [], 0

    def _first_failed(self, records: list[dict[str, Any]]) -> int | None:
        """Invoke the handler with ``records``; the position of the first one it failed, or None."""
        ok, response = self.runner.invoke(self.config.name, {"Records": records})
        failed = failure_ids(response) if ok else [records[0]["dynamodb"]["SequenceNumber"]]
        if not failed:
            return None
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        return min((sequence_numbers.index(seq) for seq in failed if seq in sequence_numbers), default=0)


def _by_item(batch: list[dict[str, Any]], ways: int) -> list[list[dict[str, Any]]]:
    """The batch in at most ``ways`` sub-batches, each item's records in one, in their order."""
    if ways <= 1:
        return [batch]
    groups: dict[int, list[dict[str, Any]]] = {}
    for record in batch:
        item = json.dumps(record["dynamodb"]["Keys"], sort_keys=True).encode()
        groups.setdefault(zlib.crc32(item) % ways, []).append(record)
    return list(groups.values())


class _QueueSource:
    def __init__(self, runner: EventSourceRunner, config: SQSEventConfig) -> None:
        self.runner = runner
        self.config = config
        sqs = client("sqs")
        self.queue_url = sqs.get_queue_url(QueueName=config.queue)["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def poll(self) -> int:
        sqs = client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.config.batch_size, 10),
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return 0
        records = [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": self.queue_arn,
                "awsRegion": self.runner.settings.region,
            }
            for message in messages
        ]
        ok, response = self.runner.invoke(self.config.name, {"Records": records})
        failed = set(failure_ids(response) or []) if ok else {r["messageId"] for r in records}
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(done[start : start + 10])
                ],
            )
        if failed and self.runner.failed_visibility_seconds is not None:
            for record in records:
                if record["messageId"] in failed:
                    sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=record["receiptHandle"],
                        VisibilityTimeout=self.runner.failed_visibility_seconds,
                    )
        return len(records)


class _Schedule:
    def __init__(self, runner: EventSourceRunner, config: ScheduledEventConfig) -> None:
        self.runner = runner
        self.config = config
        self.expression = config.schedule_expression
        self.due = time.monotonic() + self._seconds_to_next()

    def _seconds_to_next(self) -> float:
        """Seconds until the expression next fires: Rate, or a daily Cron (fixed minute and hour)."""
        expression = self.expression
        if isinstance(expression, Rate):
            seconds = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}
            return float(expression.value * seconds[expression.unit])
        if isinstance(expression, Cron) and all(
            str(field) in ("*", "?")
            for field in (expression.day_of_month, expression.month, expression.day_of_week, expression.year)
        ):
            now = datetime.now(UTC)
            at = now.replace(hour=int(expression.hours), minute=int(expression.minutes), second=0, microsecond=0)
            if at <= now:
                at += timedelta(days=1)
            return (at - now).total_seconds()
        raise NotImplementedError(f"{self.config.name}: only Rate and daily Cron schedules run locally")

    def fire(self) -> None:
        now = datetime.now(UTC)
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.runner.settings.region,
            "resources": [f"arn:aws:events:{self.runner.settings.region}:{ACCOUNT}:rule/{self.config.name}"],
            "detail": {},
        }
        self.runner.invoke(self.config.name, event)
        self.due = time.monotonic() + self._seconds_to_next()

    def poll(self) -> int:
        if time.monotonic() < self.due:
            return 0
        self.fire()
        return 1


class EventSourceRunner:
    """Polls every event source the app registered and invokes its handlers (``drain``: in this thread)."""

    def __init__(
        self,
        app: Chalice,
        settings: Settings,
        *,
        stream_max_retries: int = 5,
        failed_visibility_seconds: int | None = None,
        idle_sleep_seconds: float = 0.1,
        data_dir: Path | None = None,
        stream_parallelism: dict[str, int] | None = None,
        queue_pollers: dict[str, int] | None = None,
        batching_windows: bool = True,
    ) -> None:
        self.app = app
        self.settings = settings
        # Off in the in-process tests: each drain would wait out every window.
        self.batching_windows = batching_windows
        self.stream_max_retries = stream_max_retries
        self.failed_visibility_seconds = failed_visibility_seconds
        self.idle_sleep_seconds = idle_sleep_seconds
        # Sub-batches of one stream batch handled at once (the stack's emulator serves them safely;
        # moto in-process, as the integration tests run it, must see one caller at a time).
        # Lambda's ParallelizationFactor, by stream function (a function rebuilding from scratch has none)
        self.stream_parallelism = stream_parallelism or {}
        # Batches of one queue handled at once, by function (Lambda scales a busy queue's pollers up).
        self.queue_pollers = queue_pollers or {}
        ways = max(self.stream_parallelism.values(), default=1)
        self.stream_pool = ThreadPoolExecutor(max_workers=ways) if ways > 1 else None
        # Where the stack keeps what each stream's consumer finished (None: nowhere, as in tests):
        # the emulator hands the rest over again after a crash.
        self.data_dir = data_dir
        self._consumed: dict[str, int] = (read_consumed(data_dir) or {}) if data_dir else {}
        self._consumed_lock = threading.Lock()
        self.invocations: deque[tuple[str, bool]] = deque(maxlen=INVOCATIONS_KEPT)  # the newest, for tests
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.streams = [_StreamSource(self, c) for c in app.event_sources if isinstance(c, DynamoDBEventConfig)]
        self.queues = [_QueueSource(self, c) for c in app.event_sources if isinstance(c, SQSEventConfig)]
        self.schedules = [_Schedule(self, c) for c in app.event_sources if isinstance(c, ScheduledEventConfig)]
        self.on_invoke: Callable[[str, bool], None] | None = None
        self._first_calls = threading.Lock()
        self._called: set[str] = set()

    def invoke(self, name: str, event: dict[str, Any]) -> tuple[bool, Any]:
        """Call one handler as Lambda would; (False, None) when it raised."""
        context = LambdaContext(function_name=f"saring-{self.settings.stage}-{name}")
        try:
            if name in self._called:
                response = self.app.handler_map[name](event, context)
            else:
                # chalice builds a handler's middleware chain at its first call, from one generator:
                # two first calls at once failed with "generator already executing".
                with self._first_calls:
                    response = self.app.handler_map[name](event, context)
                    self._called.add(name)
            ok = True
        except Exception:  # noqa: BLE001 - a failing handler must not stop the runner
            logger.exception("handler failed", extra={"handler": name})
            response, ok = None, False
        self.invocations.append((name, ok))
        return ok, response

    def finished(self, table: str, last_record: dict[str, Any]) -> None:
        """A stream batch is done with (handled, or skipped after its retries), up to ``last_record``."""
        if self.data_dir is None:
            return
        with self._consumed_lock:
            # A retried part of a batch ends earlier than the batch did: never step back.
            sequence = max(int(last_record["dynamodb"]["SequenceNumber"]), self._consumed.get(table, -1))
            self._consumed[table] = sequence
            write_consumed(self.data_dir, self._consumed)

    def stream_batch_failed(self, name: str, stream_arn: str, shard_id: str, batch: list[dict[str, Any]]) -> None:
        """Like Lambda's on-failure destination: a record of the skipped batch, not the batch."""
        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName=self.settings.stream_failure_queue_name)["QueueUrl"]
        body = {
            "requestContext": {"functionArn": name, "condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "streamArn": stream_arn,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(batch),
            },
        }
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
        logger.error("stream batch skipped after retries", extra={"handler": name, "records": len(batch)})

    def poll_once(self) -> int:
        """One round over every source; returns how many records or events were delivered."""
        delivered = 0
        sources: list[_StreamSource | _QueueSource | _Schedule] = [
            *self.streams,
            *self.queues,
            *self.schedules,
        ]
        for source in sources:
            try:
                delivered += source.poll()
            except Exception:  # noqa: BLE001 - the emulator hiccuped; the next round retries
                logger.exception("event source poll failed")
        return delivered

    def fire_schedules(self, *names: str) -> None:
        """Fire these schedules (all when none is named) now."""
        for schedule in self.schedules:
            if not names or schedule.config.name in names:
                schedule.fire()

    def drain(self, timeout_seconds: float = 30.0, quiet_rounds: int = 2) -> None:
        """Deliver until nothing is left (``quiet_rounds`` empty rounds in a row) or time runs out."""
        deadline = time.monotonic() + timeout_seconds
        quiet = 0
        while quiet < quiet_rounds:
            if time.monotonic() > deadline:
                raise TimeoutError("event sources still busy")
            quiet = quiet + 1 if self.poll_once() == 0 else 0

    def start(self) -> None:
        """Poll each source in threads of its own, as each event source mapping runs on its own on
        AWS: a long stream batch never holds up the check queue, nor the other way round. A queue
        has ``QUEUE_POLLERS``, or what ``queue_pollers`` says for its function (Lambda runs several
        batches of one queue at once); a stream shard one, so that its records stay in order."""
        pollers: list[_StreamSource | _QueueSource | _Schedule] = [
            *self.streams,
            *[queue for queue in self.queues for _ in range(self.queue_pollers.get(queue.config.name, QUEUE_POLLERS))],
            *self.schedules,
        ]
        self._threads = [
            threading.Thread(target=self._loop, args=(source,), name=f"event-source-{n}", daemon=True)
            for n, source in enumerate(pollers)
        ]
        for thread in self._threads:
            thread.start()

    def stopping(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True (at once) when the runner is being stopped."""
        return self._stop.wait(seconds)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.stream_pool is not None:
            self.stream_pool.shutdown(wait=True)

    def _loop(self, source: _StreamSource | _QueueSource | _Schedule) -> None:
        """Poll one source until stopped; an empty answer waits twice as long as the last, up to
        MAX_IDLE_SLEEP_SECONDS: idle pollers (nine of them on three queues) kept the emulator busy
        answering empty ReceiveMessage calls — a third of its calls under load."""
        idle = self.idle_sleep_seconds
        while not self._stop.is_set():
            try:
                delivered = source.poll()
            except Exception:  # noqa: BLE001 - the emulator hiccuped; the next round retries
                logger.exception("event source poll failed")
                delivered = 0
            if delivered:
                idle = self.idle_sleep_seconds
            else:
                self._stop.wait(idle)
                idle = min(idle * 2, MAX_IDLE_SLEEP_SECONDS)
