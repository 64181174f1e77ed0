"""The CDK stack: tables as the models say, least privilege, queues, alarms, the API's edges, cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match, Template
from pynamodb.attributes import TTLAttribute

from chalicelib.api.routes import ROUTES
from chalicelib.store.tables import ALL_TABLES
from infra.aws.permissions import CONSUMES, FUNCTIONS, GRANTS
from infra.aws.stack import LOGICAL_IDS, SIZING
from tests.infra.conftest import Synthesised

PREFIX = "saring-dev-"


def _table(synthesised: Synthesised, short_name: str) -> dict[str, Any]:
    [table] = [
        r["Properties"]
        for r in synthesised.resources("AWS::DynamoDB::Table").values()
        if r["Properties"]["TableName"] == PREFIX + short_name
    ]
    return dict(table)


def _key_schema(keys: list[Any]) -> list[tuple[str, str]]:
    return sorted((key["KeyType"], key["AttributeName"]) for key in keys)


def test_every_table_matches_its_pynamodb_model(synthesised: Synthesised) -> None:
    assert len(synthesised.resources("AWS::DynamoDB::Table")) == len(ALL_TABLES)
    for model in ALL_TABLES:
        schema = model._get_schema()
        table = _table(synthesised, model.short_name)
        assert _key_schema(table["KeySchema"]) == _key_schema(schema["key_schema"])
        assert {(d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]} == {
            (d["AttributeName"], d["AttributeType"]) for d in schema["attribute_definitions"]
        }
        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i["index_name"] for i in schema.get("global_secondary_indexes", [])}, model.short_name
        for index in schema.get("global_secondary_indexes", []):
            deployed = indexes[index["index_name"]]
            assert _key_schema(deployed["KeySchema"]) == _key_schema(index["key_schema"])
            assert deployed["Projection"]["ProjectionType"] == index["projection"]["ProjectionType"]
            assert sorted(deployed["Projection"].get("NonKeyAttributes", [])) == sorted(
                index["projection"].get("NonKeyAttributes", [])
            )
        stream = getattr(model.Meta, "stream_view_type", None)
        assert table.get("StreamSpecification", {}).get("StreamViewType") == stream
        ttl = [name for name, attr in model.get_attributes().items() if isinstance(attr, TTLAttribute)]
        assert table.get("TimeToLiveSpecification", {}).get("AttributeName") == (ttl[0] if ttl else None)
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["DeletionProtectionEnabled"] is True


def _functions(synthesised: Synthesised) -> dict[str, dict[str, Any]]:
    """Every function by its logical id: Chalice's (SAM) and the picture function (a plain Lambda function)."""
    functions = dict(synthesised.resources("AWS::Serverless::Function"))
    for name, resource in synthesised.resources("AWS::Lambda::Function").items():
        if name.startswith(LOGICAL_IDS["process_pictures"]):
            functions[LOGICAL_IDS["process_pictures"]] = resource
    return functions


def _policy(synthesised: Synthesised, function: str) -> list[dict[str, Any]]:
    roles = synthesised.resources("AWS::IAM::Role")
    [role] = [r for name, r in roles.items() if name.startswith(f"Role{LOGICAL_IDS[function]}")]
    [policy] = role["Properties"]["Policies"]
    return list(policy["PolicyDocument"]["Statement"])


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_each_function_has_its_own_role_with_exactly_its_grants(synthesised: Synthesised) -> None:
    functions = _functions(synthesised)
    assert not synthesised.resources("AWS::IAM::Role").keys() & {"DefaultRole"}  # Chalice's policy is off
    for function in FUNCTIONS:
        role = functions[LOGICAL_IDS[function]]["Properties"]["Role"]
        assert role["Fn::GetAtt"][0].startswith(f"Role{LOGICAL_IDS[function]}")
        statements = _policy(synthesised, function)
        granted = {a for s in statements for a in _listed(s["Action"])}
        expected = set(GRANTS[function]) | {"logs:CreateLogStream", "logs:PutLogEvents"}
        consumed = CONSUMES.get(function, "")
        if consumed.startswith("queue:"):
            expected |= {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
        elif consumed:
            expected |= {
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            }
        assert granted == expected, function


def test_no_wildcard_that_aws_does_not_require(synthesised: Synthesised) -> None:
    for function in FUNCTIONS:
        for statement in _policy(synthesised, function):
            actions = _listed(statement["Action"])
            assert all("*" not in action for action in actions), (function, actions)
            for resource in _listed(statement["Resource"]):
                text = json.dumps(resource)
                if resource == "*":
                    assert actions == ["dynamodb:ListStreams"], function  # no resource-level permission exists
                elif "*" in text:
                    # objects under one prefix of a bucket, or the log streams of the function's own group
                    prefixes = (
                        "/exports/*",
                        "/claim-index/*",
                        "/claim-sync/*",
                        "/incoming/*",
                        "/pictures/*",
                        "/mail/*",
                        "/evidence/*",
                    )
                    assert any(part in text for part in (*prefixes, "/claim-pictures/*", "Logs")), (
                        function,
                        text,
                    )


def test_table_grants_point_at_the_right_tables_and_indexes(synthesised: Synthesised) -> None:
    statements = _policy(synthesised, "spread_verdicts")
    [query] = [s for s in statements if s["Action"] == "dynamodb:Query"]
    text = json.dumps(query["Resource"])
    assert "TableReports" in text and "/index/by_case" in text and "TableCases" not in text


def test_queue_event_sources_report_partial_failures_and_queues_dead_letter(synthesised: Synthesised) -> None:
    functions = synthesised.resources("AWS::Serverless::Function")
    for function, consumed in CONSUMES.items():
        if function == "process_pictures":
            continue  # not Chalice's: test_the_picture_function_…
        [event] = functions[LOGICAL_IDS[function]]["Properties"]["Events"].values()
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], function
        if consumed.startswith("stream:"):
            assert event["Properties"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
            assert event["Properties"]["BisectBatchOnFunctionError"] is True
    # The reports stream gathers up to a second: checks, webhooks and statistics go a batch at a time
    [report_stream] = functions[LOGICAL_IDS["report_stream"]]["Properties"]["Events"].values()
    assert report_stream["Properties"]["MaximumBatchingWindowInSeconds"] == 1
    # So does the claims stream: a changed claim reaches every index within seconds (a change set each batch)
    [claims_stream] = functions[LOGICAL_IDS["claims_changed"]]["Properties"]["Events"].values()
    assert claims_stream["Properties"]["MaximumBatchingWindowInSeconds"] == 1
    queues = {q["Properties"]["QueueName"]: q["Properties"] for q in synthesised.resources("AWS::SQS::Queue").values()}
    for name, consumer in (
        ("checks", "check_reports"),
        ("webhooks", "deliver_webhooks"),
        ("verdicts", "spread_verdicts"),
        ("pictures", "process_pictures"),
    ):
        assert "deadLetterTargetArn" in queues[PREFIX + name]["RedrivePolicy"]
        assert queues[PREFIX + name]["VisibilityTimeout"] >= SIZING[consumer][0]  # SQS requires it
        assert PREFIX + name + "-dlq" in queues
    assert all(q.get("SqsManagedSseEnabled") for q in queues.values())


def test_schedules_sizes_and_logs(synthesised: Synthesised) -> None:
    functions = _functions(synthesised)
    [export] = functions["ExportDaily"]["Properties"]["Events"].values()
    assert export["Properties"]["Schedule"] == "cron(15 17 * * ? *)"  # 00:15 WIB
    [sweep] = functions["SweepReports"]["Properties"]["Events"].values()
    assert sweep["Properties"]["Schedule"] == "rate(5 minutes)"
    groups = synthesised.resources("AWS::Logs::LogGroup")
    for function in FUNCTIONS:
        properties = functions[LOGICAL_IDS[function]]["Properties"]
        assert (properties["Timeout"], properties["MemorySize"]) == SIZING[function]
        assert properties["FunctionName"] == f"saring-dev-{function}"
        group = groups[properties["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]
        assert group["LogGroupName"] == f"/aws/lambda/saring-dev-{function}" and group["RetentionInDays"] == 90


def test_the_bucket_key_secret_and_the_api_edges(synthesised: Synthesised) -> None:
    template = Template.from_stack(synthesised.stack)
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": PREFIX + "data",
            "BucketEncryption": Match.any_value(),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [Match.object_like({"Id": "exports", "Prefix": "exports/", "ExpirationInDays": 400})]
                )
            },
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/saring-dev-contacts"})
    template.has_resource_properties("AWS::SecretsManager::Secret", {"Name": PREFIX + "api-key-pepper"})
    api = synthesised.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]
    assert api["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == 404
    throttles = {(s["ResourcePath"], s["HttpMethod"]): s for s in api["MethodSettings"]}
    whole = throttles.pop(("/*", "*"))
    assert whole["ThrottlingRateLimit"] > 0 and whole["ThrottlingBurstLimit"] > 0
    # The public's routes have lower ceilings of their own
    assert set(throttles) == {(r.path.replace("/", "~1"), r.method) for r in ROUTES if r.per_address}
    assert all(0 < s["ThrottlingRateLimit"] < whole["ThrottlingRateLimit"] for s in throttles.values())


def test_alarms_cover_dead_letters_errors_throttles_and_waiting_reports(synthesised: Synthesised) -> None:
    alarms = [a["Properties"] for a in synthesised.resources("AWS::CloudWatch::Alarm").values()]
    names = {a["AlarmName"] for a in alarms}
    for queue in ("ChecksDlq", "WebhooksDlq", "VerdictsDlq", "PicturesDlq", "ReportStreamFailures"):
        assert f"saring-dev-{queue}Depth" in names
    assert "saring-dev-OldestUncheckedReport" in names
    for function in FUNCTIONS:
        assert {f"saring-dev-{LOGICAL_IDS[function]}Errors", f"saring-dev-{LOGICAL_IDS[function]}Throttles"} <= names
    assert all(a["AlarmActions"] for a in alarms)


def test_cfn_lint_finds_nothing(synthesised: Synthesised) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), str(synthesised.template_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cdk_nag_acknowledgements_each_give_a_reason(synthesised: Synthesised) -> None:
    # The synth ran AwsSolutionsChecks (an unacknowledged finding fails it); each acknowledgement says why.
    acknowledged: dict[str, str] = {}
    for construct in synthesised.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "aws:cdk:acknowledged-rules":
                acknowledged.update(entry.data)
    assert {rule.split("::", 1)[1].split("[")[0] for rule in acknowledged} == {
        "AwsSolutions-SQS3",  # dead-letter queues have none of their own
        "AwsSolutions-S1",  # the access-log bucket does not log itself
        "AwsSolutions-SMG4",  # the pepper is not rotated
        "AwsSolutions-IAM5",  # object prefixes, and ListStreams
        "AwsSolutions-IAM4",  # API Gateway's logging role uses AWS's own policy
        "AwsSolutions-CFR1",  # the public page refuses no country
        "AwsSolutions-CFR2",  # WAF for CloudFront is us-east-1's: the API's WAF and the app's limits hold
        "AwsSolutions-CFR4",  # the default cloudfront.net certificate, TLS 1.2 minimum
        "AwsSolutions-L1",  # CDK's own page deployment function
    }
    assert all(len(reason) >= 20 for reason in acknowledged.values())


def test_the_package_ships_compiled_bytecode(synthesised: Synthesised) -> None:
    with zipfile.ZipFile(synthesised.package) as package:
        names = set(package.namelist())
        infos = package.infolist()
    assert "app.py" in names and "__pycache__/app.cpython-311.pyc" in names
    assert "chalicelib/api/__pycache__/cases.cpython-311.pyc" in names
    assert "pydantic/__pycache__/main.cpython-311.pyc" in names
    assert "boto3/__init__.py" in names and not any(n.startswith(("tests/", "infra/", "bench/")) for n in names)
    # numpy ships (the claim index's engine), its own test suite and build-time parts do not
    assert "numpy/__init__.py" in names and "numpy/_core/__pycache__/multiarray.cpython-311.pyc" in names
    assert not any(n.startswith("numpy/") and ("/tests/" in n or n.startswith("numpy/f2py/")) for n in names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}  # reproducible bytes


def test_the_claim_index_runs_from_the_package_alone(synthesised: Synthesised, tmp_path: Path) -> None:
    # Unpacked, with no site-packages: numpy (without its tests) builds, snapshots, loads and searches
    with zipfile.ZipFile(synthesised.package) as package:
        package.extractall(tmp_path)
    probe = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
        "from chalicelib.domain.matching.documents import ClaimDoc; "
        "from chalicelib.domain.matching.index import ClaimIndex; "
        "claim = ClaimDoc('c1', 'e1', 'Surat suara sudah dicoblos', 'HOAKS', "
        "texts=('Surat suara pemilu sudah dicoblos petugas di gudang kecamatan sebelum hari pemungutan',)); "
        "index = ClaimIndex.from_bytes(ClaimIndex.build([claim]).to_bytes()); "
        "print(index.search(text=claim.texts[0])[0].claim.id)"
    )
    done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "c1"


def test_the_api_is_regional_logged_firewalled_and_each_busy_function_reserved(synthesised: Synthesised) -> None:
    from infra.aws.stack import RESERVED_CONCURRENCY

    api = synthesised.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]
    assert api["EndpointConfiguration"] == {"Type": "REGIONAL"}
    access_log = api["AccessLogSetting"]
    assert "Fn::GetAtt" in access_log["DestinationArn"]
    logged = json.loads(access_log["Format"])
    assert "$context.identity.sourceIp" in logged.values()
    assert not any("header" in value.lower() or "body" in value.lower() for value in logged.values())
    [acl] = synthesised.resources("AWS::WAFv2::WebACL").values()
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    assert rules["requests-per-address"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert {"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet"} <= rules.keys()
    [association] = synthesised.resources("AWS::WAFv2::WebACLAssociation").values()
    assert association["DependsOn"] == ["RestAPIapiStage"]
    assert synthesised.resources("AWS::ApiGateway::Account")
    for name, reserved in RESERVED_CONCURRENCY.items():
        assert _functions(synthesised)[LOGICAL_IDS[name]]["Properties"]["ReservedConcurrentExecutions"] == reserved


def test_every_function_is_told_its_stage(synthesised: Synthesised) -> None:
    # The stage is a required setting: a function without it refuses to start rather than run as
    # "local" (which allows loopback webhooks).
    for logical_id in LOGICAL_IDS.values():
        properties = _functions(synthesised)[logical_id]["Properties"]
        assert properties["Environment"]["Variables"]["SARING_STAGE"] == "dev", logical_id


def test_the_key_opens_only_what_each_function_sealed(synthesised: Synthesised) -> None:
    from infra.aws.permissions import KMS_CONTEXT_KEYS

    for function in FUNCTIONS:
        for statement in _policy(synthesised, function):
            sealing = ("kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt")  # the evidence key signs: no context
            if any(action in sealing for action in _listed(statement["Action"])):
                condition = statement["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"]
                assert sorted(_listed(condition)) == sorted(KMS_CONTEXT_KEYS[function]), function
    webhook_keys = KMS_CONTEXT_KEYS["deliver_webhooks"]
    assert "report_id" not in webhook_keys


def test_the_claim_sync_has_its_key_schedule_one_run_at_a_time_and_an_alarm(synthesised: Synthesised) -> None:
    template = Template.from_stack(synthesised.stack)
    template.has_resource_properties(
        "AWS::SecretsManager::Secret", {"Name": PREFIX + "fact-check-api-key", "SecretString": "unset"}
    )
    function = synthesised.resources("AWS::Serverless::Function")["SyncClaims"]["Properties"]
    assert function["ReservedConcurrentExecutions"] == 1  # two runs never page the same search at once
    schedule = next(iter(function["Events"].values()))["Properties"]["Schedule"]
    assert schedule == "rate(6 hours)"
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmName": "saring-dev-ClaimSyncFailing", "MetricName": "ClaimSyncFailed", "EvaluationPeriods": 2},
    )


def test_the_picture_function_is_an_image_of_its_own_fed_by_the_uploads_bucket(synthesised: Synthesised) -> None:
    # Its own package: a container image (Tesseract is a Debian package), never the API's zip
    properties = _functions(synthesised)[LOGICAL_IDS["process_pictures"]]["Properties"]
    assert properties["PackageType"] == "Image" and "ImageUri" in properties["Code"]
    dockerfile = (Path(__file__).resolve().parents[2] / "infra" / "aws" / "pictures" / "Dockerfile").read_text()
    assert "tesseract-ocr-ind" in dockerfile and "requirements-pictures.txt" in dockerfile
    # Fed one upload at a time by its queue, failed messages back to the queue, then dead-lettered
    [mapping] = [
        m
        for m in synthesised.resources("AWS::Lambda::EventSourceMapping").values()
        if LOGICAL_IDS["process_pictures"] in json.dumps(m["Properties"]["FunctionName"])
    ]
    assert mapping["Properties"]["BatchSize"] == 1
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # The uploads bucket: private, KMS-encrypted, expiring, and announcing every upload to that queue
    [uploads] = [
        b["Properties"]
        for b in synthesised.resources("AWS::S3::Bucket").values()
        if b["Properties"].get("BucketName") == f"{PREFIX}uploads"
    ]
    assert uploads["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [encryption] = uploads["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    rules = {rule["Id"]: rule for rule in uploads["LifecycleConfiguration"]["Rules"]}
    assert rules["report-pictures"]["Prefix"] == "pictures/" and rules["report-pictures"]["ExpirationInDays"] == 90
    assert rules["incoming"]["ExpirationInDays"] == 1 and "claim-pictures/" not in json.dumps(rules)
    [announce] = uploads["NotificationConfiguration"]["QueueConfigurations"]
    assert announce["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]
    [policy] = [p for name, p in synthesised.resources("AWS::SQS::QueuePolicy").items() if "FromUploads" in name]
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and "aws:SourceArn" in json.dumps(statement)


def test_the_public_page_is_served_by_cloudfront_with_the_api_under_v1_and_the_pages_own_headers(
    synthesised: Synthesised,
) -> None:
    from infra.web import content_security_policy

    [distribution] = synthesised.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html" and config["DefaultCacheBehavior"]["Compress"] is True
    [api_calls] = config["CacheBehaviors"]
    assert api_calls["PathPattern"] == "/v1/*" and "POST" in api_calls["AllowedMethods"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    api_origin = origins[api_calls["TargetOriginId"]]
    assert api_origin["OriginPath"] == "/api"
    # CloudFront proves itself with the edge secret, resolved at deploy (never written in the template)
    [edge] = api_origin["OriginCustomHeaders"]
    assert edge["HeaderName"] == "X-Saring-Edge" and "resolve:secretsmanager" in json.dumps(edge["HeaderValue"])
    [request_policy] = synthesised.resources("AWS::CloudFront::OriginRequestPolicy").values()
    config_of_calls = request_policy["Properties"]["OriginRequestPolicyConfig"]
    forwarded = config_of_calls["HeadersConfig"]["Headers"]
    assert {"CloudFront-Viewer-Address", "X-CSRF-Token"} <= set(forwarded) and "Cookie" not in forwarded
    assert config_of_calls["CookiesConfig"] == {"CookieBehavior": "whitelist", "Cookies": ["saring_session"]}
    # The page's headers are the local server's (one definition: infra/web.py)
    [headers] = synthesised.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    expected = content_security_policy("https://saring-dev-uploads.s3.ap-southeast-3.amazonaws.com")
    assert csp["ContentSecurityPolicy"] == expected and "'unsafe-inline'" not in expected
    # The page's files and the console's are deployed (the console under console/, each pruning its own),
    # a folder's address serves its index.html, and the page may post pictures to the uploads bucket
    deployments = [d["Properties"] for d in synthesised.resources("Custom::CDKBucketDeployment").values()]
    assert sorted(d.get("DestinationBucketKeyPrefix", "") for d in deployments) == ["", "console/"]
    assert next(d for d in deployments if "DestinationBucketKeyPrefix" not in d)["Exclude"] == ["console/*"]
    [index] = synthesised.resources("AWS::CloudFront::Function").values()
    assert "/console/index.html" in index["Properties"]["FunctionCode"]
    assert config["DefaultCacheBehavior"]["FunctionAssociations"][0]["EventType"] == "viewer-request"
    uploads = next(
        r
        for r in synthesised.resources("AWS::S3::Bucket").values()
        if r["Properties"].get("BucketName") == PREFIX + "uploads"
    )
    [cors] = uploads["Properties"]["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]


def test_waf_limits_direct_callers_of_the_public_routes_per_address(synthesised: Synthesised) -> None:
    [acl] = synthesised.resources("AWS::WAFv2::WebACL").values()
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    public = rules["public-requests-per-address"]["Statement"]["RateBasedStatement"]
    assert public["AggregateKeyType"] == "IP" and public["Limit"] <= 1000
    scope = json.dumps(public["ScopeDownStatement"])
    assert "/v1/public/" in scope and "x-saring-edge" in scope  # the page's calls are counted by the app, per viewer


def test_complaints_by_email_are_stored_then_handed_to_their_function(synthesised: Synthesised) -> None:
    [rule] = synthesised.resources("AWS::SES::ReceiptRule").values()
    spec = rule["Properties"]["Rule"]
    assert spec["Recipients"] == ["aduan@saring.example"] and spec["ScanEnabled"] is True
    store, invoke = spec["Actions"]
    assert store["S3Action"]["ObjectKeyPrefix"] == "mail/incoming/"
    assert invoke["LambdaAction"]["InvocationType"] == "Event"
    assert invoke["LambdaAction"]["FunctionArn"] == {"Fn::GetAtt": [LOGICAL_IDS["receive_mail"], "Arn"]}
    [permission] = [
        p
        for p in synthesised.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "ses.amazonaws.com"
    ]
    assert permission["Properties"]["SourceAccount"]
    environment = _functions(synthesised)[LOGICAL_IDS["receive_mail"]]["Properties"]["Environment"]["Variables"]
    assert environment["SARING_MAIL_FROM"] == "aduan@saring.example" and "SARING_PUBLIC_PAGE_URL" in environment
    # A message nobody took, or a deleted version of one, goes soon: it holds a sender's address
    data = next(
        r
        for r in synthesised.resources("AWS::S3::Bucket").values()
        if r["Properties"].get("BucketName") == PREFIX + "data"
    )
    [mail] = [r for r in data["Properties"]["LifecycleConfiguration"]["Rules"] if r["Id"] == "mail"]
    assert mail["ExpirationInDays"] <= 7 and mail["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1


def test_the_evidence_key_signs_and_never_encrypts(synthesised: Synthesised) -> None:
    [key] = [k["Properties"] for k in synthesised.resources("AWS::KMS::Key").values() if k["Properties"].get("KeySpec")]
    assert key["KeySpec"] == "ECC_NIST_P256" and key["KeyUsage"] == "SIGN_VERIFY"
    statements = _policy(synthesised, "api")
    signing = [s for s in statements if s["Action"] in ("kms:Sign", "kms:GetPublicKey")]
    assert len(signing) == 2 and all("Condition" not in s for s in signing)
