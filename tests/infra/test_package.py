"""Package serverless.yml with osls, as for a deployment, and check what would be deployed.

One module-scoped fixture builds the dependency layer (infra/build_layer.sh) and then packages
the stages ``ci`` and ``prod``, one after the other, with the local osls CLI, with no AWS
credentials and an empty HOME. The tests read the CloudFormation templates and the zips.

Needs node_modules (``npm ci``) and the uv cache or PyPI for the layer. Deselect with
``-m "not infra"``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

import pytest
import yaml

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
OSLS = ROOT / "node_modules" / ".bin" / "osls"
BUILD_LAYER = ROOT / "infra" / "build_layer.sh"
COMPILE_BYTECODE = ROOT / "infra" / "compile_bytecode.sh"
LAMBDA_REQUIREMENTS = ROOT / "build" / "requirements-lambda.txt"
CFN_LINT = Path(sys.executable).with_name("cfn-lint")

STAGES = ("ci", "prod")
# Given to the packaging through the environment, as a developer's shell might: it must not
# reach the template (the secret lives in SSM).
LEAKED_CURSOR_SECRET = "cursor-secret-from-the-environment"
CHECKOV = "checkov==3.3.30"  # run with uvx, in its own environment (its pins clash with ours)

TEMPLATE = "cloudformation-template-update-stack.json"
PACKAGE_TIMEOUT_S = 600

TABLE_ID = "MainTable"
FUNCTION_ID = "GraphqlLambdaFunction"
SWEEPER_ID = "SweeperLambdaFunction"
MIGRATE_ID = "MigrateLambdaFunction"
# Modules the Lambda Python runtime provides outside the standard library (imported under
# `try: ... except ImportError`).
RUNTIME_MODULES = {"snapshot_restore_py"}
EVENTS_ID = "EventsLambdaFunction"
EXPORTS_ID = "ExportsLambdaFunction"
EXPORT_ROLE = "ExportRole"
DLQ_ID = "DeliveryDeadLetterQueue"
STREAM_ARN: dict[str, Any] = {"Fn::GetAtt": [TABLE_ID, "StreamArn"]}
# What Lambda's stream poller needs, on the stream only (added by osls for the stream event).
STREAM_ACTIONS = {
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:DescribeStream",
    "dynamodb:ListStreams",
}
LAYER_ID = "PythonDepsLambdaLayer"
SHARED_ROLE = "IamRoleLambdaExecution"
TABLE_ARN: dict[str, Any] = {"Fn::GetAtt": [TABLE_ID, "Arn"]}
INDEX_ARN: dict[str, Any] = {"Fn::Join": ["", [TABLE_ARN, "/index/*"]]}

# What the PynamoDB code needs; TransactWriteItems / TransactGetItems are authorised per item
# by these actions (IAM has no action of their own). No Scan, no table management.
DYNAMODB_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
}
INDEX_ACTIONS = {"dynamodb:Query"}

FUNCTION_ENVIRONMENT = {
    "DANGQUN_TABLE_NAME",
    "DANGQUN_STAGE",
    "DANGQUN_AUTH_ISSUER",
    "DANGQUN_AUTH_JWKS_URL",
    "DANGQUN_AUTH_AUDIENCE",
    "DANGQUN_GRAPHIQL",
    "DANGQUN_CURSOR_SECRET_PARAMETER",
    "DANGQUN_SECRETS_ROTATED_AT",
    "DANGQUN_TRACING",
    "DANGQUN_INTROSPECTION",
    "DANGQUN_SUGGESTIONS",
    "DANGQUN_UPLOADS_BUCKET",
}

LAYER_PACKAGES = (
    "strawberry",
    "graphql",
    "mangum",
    "pynamodb",
    "botocore",
    "pydantic",
    "pydantic_core",
    "jwt",
    "cryptography",
    "starlette",
    "chinese_calendar",
)
PYDANTIC_CORE_SO = "python/pydantic_core/_pydantic_core.cpython-312-aarch64-linux-gnu.so"
EM_AARCH64 = 183  # ELF e_machine
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # function code + all layers
APPLICATION_PACKAGES = ("api", "schema", "functions")


@dataclass(frozen=True)
class Package:
    """One `osls package` output directory."""

    stage: str
    directory: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        assert logical_id in self.resources, f"{logical_id} missing from the {self.stage} template"
        properties: dict[str, Any] = self.resources[logical_id]["Properties"]
        return properties

    def artifact(self, s3_key: str) -> Path:
        """The zip in the package directory that osls would upload to `s3_key`."""
        path = self.directory / PurePosixPath(s3_key).name
        assert path.is_file(), f"{path.name} not in {self.directory}"
        return path

    @property
    def function_zip(self) -> Path:
        return self.artifact(self.properties(FUNCTION_ID)["Code"]["S3Key"])

    @property
    def layer_zip(self) -> Path:
        return self.artifact(self.properties(LAYER_ID)["Content"]["S3Key"])


def _fail_with_output(what: str, returncode: int, output: str) -> NoReturn:
    pytest.fail(f"{what} exited with {returncode}:\n{output[-6000:]}", pytrace=False)


def _packaging_env(home: Path, overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment of a CI runner without AWS access: no AWS_* at all, an empty HOME
    (no ~/.aws, no osls login), no DANGQUN_* leaking from the developer's shell."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DANGQUN_", "SLS_", "SERVERLESS_"))
    }
    env.update(
        HOME=str(home),
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
        # osls with a `layers:` section asks CloudFormation for the deployed layer's hash;
        # infra/osls-offline-layers.js skips that when this is set.
        DANGQUN_PACKAGE_OFFLINE="1",
    )
    env.update(overrides)
    return env


def _run_script(script: Path, *arguments: str) -> None:
    run = subprocess.run(
        ["bash", str(script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PACKAGE_TIMEOUT_S,
        check=False,
    )
    if run.returncode != 0:
        _fail_with_output(str(script.relative_to(ROOT)), run.returncode, run.stdout + run.stderr)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Package]:
    if not OSLS.exists():
        pytest.fail(f"{OSLS.relative_to(ROOT)} not found: run `npm ci` first", pytrace=False)

    _run_script(BUILD_LAYER)
    # What `make package` does before osls: the application's 3.12 bytecode.
    _run_script(COMPILE_BYTECODE, *APPLICATION_PACKAGES)

    # One after the other: osls always builds in <service>/.serverless and then moves the
    # artifacts to --package, so two runs in the same directory would clobber each other.
    # (It does not move them at all when the --package path ends with ".serverless".)
    result: dict[str, Package] = {}
    for stage in STAGES:
        workdir = tmp_path_factory.mktemp(stage)
        (workdir / "home").mkdir()
        output = workdir / "package"
        overrides = {"DANGQUN_CURSOR_SECRET": LEAKED_CURSOR_SECRET}
        packaging = subprocess.run(
            [str(OSLS), "package", "--stage", stage, "--package", str(output)],
            cwd=ROOT,
            env=_packaging_env(workdir / "home", overrides),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=PACKAGE_TIMEOUT_S,
            check=False,
        )
        if packaging.returncode != 0 or not (output / TEMPLATE).is_file():
            _fail_with_output(
                f"osls package --stage {stage}", packaging.returncode, packaging.stdout
            )
        template = json.loads((output / TEMPLATE).read_text())
        result[stage] = Package(stage, output, template)
    return result


@pytest.fixture(scope="module")
def ci(packages: dict[str, Package]) -> Package:
    return packages["ci"]


@pytest.fixture(scope="module")
def prod(packages: dict[str, Package]) -> Package:
    return packages["prod"]


# --- CloudFormation ---------------------------------------------------------------------


def test_templates_pass_cfn_lint(packages: dict[str, Package]) -> None:
    templates = [str(package.directory / TEMPLATE) for package in packages.values()]
    # The template paths must come before the option.
    lint = subprocess.run(
        [str(CFN_LINT), *templates, "--ignore-checks", "W3005"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert lint.returncode == 0, f"cfn-lint:\n{lint.stdout}{lint.stderr}"


def test_table_matches_infra_table_yml(ci: Package) -> None:
    source = yaml.safe_load((ROOT / "infra" / "table.yml").read_text())
    expected: dict[str, Any] = source["Resources"][TABLE_ID]["Properties"]

    assert list(ci.of_type("AWS::DynamoDB::Table")) == [TABLE_ID]
    table = ci.properties(TABLE_ID)
    assert set(table) == set(expected)
    variables = {"TableName", "DeletionProtectionEnabled"}
    for key in set(expected) - variables:
        assert table[key] == expected[key], key

    assert table["TableName"] == "dangqun-ci"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [
        "gsi1",
        "gsi2",
        "gsi3",
        "due",
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is False


def test_prod_table_has_deletion_protection(prod: Package) -> None:
    table = prod.properties(TABLE_ID)
    assert table["TableName"] == "dangqun-prod"
    assert table["DeletionProtectionEnabled"] is True


def test_function(ci: Package) -> None:
    assert sorted(ci.of_type("AWS::Lambda::Function")) == sorted(
        [FUNCTION_ID, SWEEPER_ID, MIGRATE_ID, EVENTS_ID, EXPORTS_ID]
    )
    function = ci.properties(FUNCTION_ID)
    assert function["Runtime"] == "python3.12"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "functions/graphql.handler"
    assert function["MemorySize"] == 1024
    assert function["Timeout"] == 29
    assert function["Layers"] == [{"Ref": LAYER_ID}]

    layer = ci.properties(LAYER_ID)
    assert ci.resources[LAYER_ID]["Type"] == "AWS::Lambda::LayerVersion"
    assert layer["CompatibleRuntimes"] == ["python3.12"]
    assert layer["CompatibleArchitectures"] == ["arm64"]


@pytest.mark.parametrize(
    ("stage", "graphiql", "retention"),
    [("ci", "true", 30), ("prod", "false", 365)],
)
def test_stage_settings(
    packages: dict[str, Package], stage: str, graphiql: str, retention: int
) -> None:
    package = packages[stage]
    environment: dict[str, Any] = package.properties(FUNCTION_ID)["Environment"]["Variables"]
    assert set(environment) == FUNCTION_ENVIRONMENT
    assert all(isinstance(value, str) and value for value in environment.values()), environment
    assert environment["DANGQUN_TABLE_NAME"] == f"dangqun-{stage}"
    assert environment["DANGQUN_STAGE"] == stage
    assert environment["DANGQUN_GRAPHIQL"] == graphiql
    # introspection and "Did you mean" hints are off unless a stage (dev) turns them on
    assert environment["DANGQUN_INTROSPECTION"] == "false"
    assert environment["DANGQUN_SUGGESTIONS"] == "false"
    assert environment["DANGQUN_AUTH_JWKS_URL"].startswith("https://")

    log_groups = package.of_type("AWS::Logs::LogGroup")
    assert log_groups, "no log group"
    for log_group in log_groups.values():
        assert log_group["Properties"]["RetentionInDays"] == retention


def _parameter_arn(name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ssm:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":parameter{name}",
            ],
        ]
    }


@pytest.mark.parametrize("stage", STAGES)
def test_secrets_are_read_from_their_ssm_parameters_only(
    packages: dict[str, Package], stage: str
) -> None:
    package = packages[stage]
    parameter = f"/dangqun/{stage}/cursor-secret"
    for function_id in (FUNCTION_ID, SWEEPER_ID, EXPORTS_ID):
        variables = package.properties(function_id)["Environment"]["Variables"]
        assert variables["DANGQUN_CURSOR_SECRET_PARAMETER"] == parameter
        assert "DANGQUN_CURSOR_SECRET" not in variables
    text = json.dumps(package.template)
    assert LEAKED_CURSOR_SECRET not in text and "placeholder" not in text

    ssm = [
        statement
        for statement in _policy_statements(package, SHARED_ROLE)
        if any(str(action).startswith("ssm:") for action in _as_list(statement["Action"]))
    ]
    # The export worker's role: the cursor key only.
    assert [
        statement
        for statement in _policy_statements(package, EXPORT_ROLE)
        if any(str(action).startswith("ssm:") for action in _as_list(statement["Action"]))
    ] == [
        {
            "Sid": "DangqunExportsSecret",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": [_parameter_arn(parameter)],
        }
    ]
    assert {
        role
        for role in package.of_type("AWS::IAM::Role")
        for statement in _policy_statements(package, role)
        if any(str(action).startswith("ssm:") for action in _as_list(statement["Action"]))
    } == {SHARED_ROLE, EXPORT_ROLE}
    wechat, sms = f"/dangqun/{stage}/wechat-app-secret", f"/dangqun/{stage}/sms-access-key-secret"
    assert ssm == [
        {
            "Sid": "DangqunSecrets",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": [_parameter_arn(parameter), _parameter_arn(wechat), _parameter_arn(sms)],
        }
    ]
    delivery = package.properties(EVENTS_ID)["Environment"]["Variables"]
    assert delivery["DANGQUN_WECHAT_SECRET_PARAMETER"] == wechat
    assert delivery["DANGQUN_SMS_SECRET_PARAMETER"] == sms
    for name in ("DANGQUN_WECHAT_APP_SECRET", "DANGQUN_SMS_ACCESS_KEY_SECRET"):
        assert name not in delivery


def test_http_api_routes_graphql_to_the_function(ci: Package) -> None:
    apis = ci.of_type("AWS::ApiGatewayV2::Api")
    assert len(apis) == 1
    [(api_id, api)] = apis.items()
    assert api["Properties"]["ProtocolType"] == "HTTP"

    routes = {
        resource["Properties"]["RouteKey"]: resource["Properties"]
        for resource in ci.of_type("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {
        "POST /graphql",
        "GET /graphql",
        "GET /open311/v2/{proxy+}",
        "POST /open311/v2/{proxy+}",
    }
    for route in routes.values():
        assert route["ApiId"] == {"Ref": api_id}
        target = route["Target"]["Fn::Join"][1]
        assert target[0] == "integrations"
        integration = ci.properties(target[1]["Ref"])
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["IntegrationUri"] == {"Fn::GetAtt": [FUNCTION_ID, "Arn"]}
        assert integration["PayloadFormatVersion"] == "2.0"

    permissions = [
        resource["Properties"]
        for resource in ci.of_type("AWS::Lambda::Permission").values()
        if resource["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    assert len(permissions) == 1


@pytest.mark.parametrize(
    ("stage", "origins", "rate", "burst"),
    [
        ("ci", ["http://127.0.0.1:3000", "http://localhost:3000"], 50, 100),
        ("prod", ["https://dangqun.example", "https://admin.dangqun.example"], 200, 400),
    ],
)
def test_http_api_cors_and_throttling_per_stage(
    packages: dict[str, Package], stage: str, origins: list[str], rate: int, burst: int
) -> None:
    package = packages[stage]
    [api] = package.of_type("AWS::ApiGatewayV2::Api").values()
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == origins
    assert set(cors["AllowMethods"]) == {"GET", "POST", "OPTIONS"}
    assert {"Authorization", "Content-Type"} <= set(cors["AllowHeaders"])
    [stage_resource] = package.of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage_resource["Properties"]["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": rate,
        "ThrottlingBurstLimit": burst,
    }


def test_table_expires_rate_limit_windows(ci: Package) -> None:
    assert ci.properties(TABLE_ID)["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_statements(package: Package, role: str | None = None) -> Iterator[dict[str, Any]]:
    """Every IAM statement of the template, or of one role's inline policies."""
    for logical_id, resource in package.resources.items():
        if role is not None and logical_id != role:
            continue
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [properties["PolicyDocument"]]
        else:
            continue
        for document in documents:
            yield from _as_list(document["Statement"])


def test_iam_grants_dynamodb_on_the_table_and_its_indexes_only(ci: Package) -> None:
    statements = [
        statement
        for statement in _policy_statements(ci, SHARED_ROLE)
        if any(
            action == "*" or str(action).startswith("dynamodb:")
            for action in _as_list(statement.get("Action", []))
        )
        or "NotAction" in statement
    ]
    assert statements, "no DynamoDB permissions"

    granted: set[str] = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        actions = set(_as_list(statement["Action"]))
        assert not any("*" in action for action in actions), statement
        resources = _as_list(statement["Resource"])
        if resources == [STREAM_ARN]:
            assert actions <= STREAM_ACTIONS, statement  # the delivery function's stream
            continue
        for resource in resources:
            assert resource in (TABLE_ARN, INDEX_ARN), f"DynamoDB access to {resource}"
        if INDEX_ARN in resources:
            assert actions <= INDEX_ACTIONS, statement
        granted |= actions
    assert granted == DYNAMODB_ACTIONS

    for function_id in (FUNCTION_ID, SWEEPER_ID):
        assert ci.properties(function_id)["Role"] == {"Fn::GetAtt": [SHARED_ROLE, "Arn"]}


def test_migration_function_has_its_own_narrow_role_and_no_trigger(ci: Package) -> None:
    function = ci.properties(MIGRATE_ID)
    assert function["Handler"] == "functions/migrate.handler"
    assert function["Timeout"] == 900
    assert function["Role"] == {"Fn::GetAtt": ["MigrationRole", "Arn"]}
    assert function["Layers"] == [{"Ref": LAYER_ID}]
    assert function["ReservedConcurrentExecutions"] == 1
    migrate_arn = {"Fn::GetAtt": [MIGRATE_ID, "Arn"]}
    assert [
        p
        for p in ci.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == migrate_arn
    ] == [], "the migration has a trigger"
    statements = list(_policy_statements(ci, "MigrationRole"))
    assert statements == [
        {
            "Sid": "DangqunMigrateItems",
            "Effect": "Allow",
            "Action": ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": [TABLE_ARN],
        }
    ]
    # Scan is the migration's alone.
    shared = {
        action
        for statement in _policy_statements(ci, SHARED_ROLE)
        for action in _as_list(statement["Action"])
    }
    assert "dynamodb:Scan" not in shared


FUNCTION_DIMENSION = {"Name": "FunctionName", "Value": {"Ref": FUNCTION_ID}}
APP_DIMENSIONS = [
    {"Name": "service", "Value": "dangqun"},
    {"Name": "stage", "Value": "ci"},
]
# (namespace, metric) -> dimensions of the alarms ops must wake up for.
ALARMS = {
    ("AWS/Lambda", "Errors", FUNCTION_ID): [
        {"Name": "FunctionName", "Value": {"Ref": FUNCTION_ID}}
    ],
    ("AWS/Lambda", "Errors", SWEEPER_ID): [{"Name": "FunctionName", "Value": {"Ref": SWEEPER_ID}}],
    ("AWS/Lambda", "Throttles", FUNCTION_ID): [
        {"Name": "FunctionName", "Value": {"Ref": FUNCTION_ID}}
    ],
    ("Dangqun", "SweepLateness", ""): APP_DIMENSIONS,
    ("Dangqun", "DynamoDBThrottled", ""): APP_DIMENSIONS,
    ("AWS/Lambda", "Errors", EVENTS_ID): [{"Name": "FunctionName", "Value": {"Ref": EVENTS_ID}}],
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible", DLQ_ID): [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [DLQ_ID, "QueueName"]}}
    ],
    ("AWS/DynamoDB", "ThrottledRequests", TABLE_ID): [
        {"Name": "TableName", "Value": {"Ref": TABLE_ID}}
    ],
}


def _alarm_key(alarm: dict[str, Any]) -> tuple[str, str, str]:
    [first, *_] = alarm["Dimensions"]
    value = first["Value"]
    if isinstance(value, dict):
        resource = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
    else:
        resource = ""
    return alarm["Namespace"], alarm["MetricName"], resource


def test_alarms_for_errors_throttles_and_sweep_lateness(ci: Package) -> None:
    alarms = {
        _alarm_key(resource["Properties"]): resource["Properties"]
        for resource in ci.of_type("AWS::CloudWatch::Alarm").values()
    }
    assert set(alarms) == set(ALARMS)
    topic = {"Ref": "AlarmTopic"}
    for key, alarm in alarms.items():
        assert alarm["Dimensions"] == ALARMS[key], key
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], key
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    lateness = alarms[("Dangqun", "SweepLateness", "")]
    assert lateness["Statistic"] == "Maximum" and lateness["Threshold"] == 300
    assert lateness["TreatMissingData"] == "breaching", "no sweep at all must alarm too"
    assert ci.resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"


def _dashboard_body(package: Package) -> dict[str, Any]:
    """The dashboard JSON, with every Ref replaced by the logical id it names."""

    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            return "<{}.{}>".format(*value["Fn::GetAtt"])
        separator, parts = value["Fn::Join"]
        return str(separator).join(text(part) for part in parts)

    [dashboard] = package.of_type("AWS::CloudWatch::Dashboard").values()
    body: dict[str, Any] = json.loads(text(dashboard["Properties"]["DashboardBody"]))
    return body


def test_dashboard_shows_what_the_alarms_watch(ci: Package) -> None:
    body = _dashboard_body(ci)
    metrics = {
        name
        for widget in body["widgets"]
        for line in widget["properties"]["metrics"]
        for name in line
        if isinstance(name, str)
    }
    for _namespace, metric, _ in ALARMS:
        assert metric in metrics, metric
    assert {"CasesReported", "TimersFired", "QueryLimitRefusals", "ColdStart"} <= metrics
    assert f"<{FUNCTION_ID}>" in metrics and f"<{TABLE_ID}>" in metrics
    assert f"<{EVENTS_ID}>" in metrics and f"<{DLQ_ID}.QueueName>" in metrics
    assert all(widget["properties"]["region"] == "<AWS::Region>" for widget in body["widgets"])
    assert "DashboardName" in ci.template["Outputs"]


@pytest.mark.parametrize(("stage", "mode"), [("ci", "PassThrough"), ("prod", "Active")])
def test_tracing_per_stage(packages: dict[str, Package], stage: str, mode: str) -> None:
    function = packages[stage].properties(FUNCTION_ID)
    assert function["TracingConfig"] == {"Mode": mode}
    assert function["Environment"]["Variables"]["DANGQUN_TRACING"] == mode


def _graphql_integration_uris(package: Package) -> list[Any]:
    return [
        resource["Properties"]["IntegrationUri"]
        for resource in package.of_type("AWS::ApiGatewayV2::Integration").values()
    ]


def test_snapstart_on_prod_behind_a_published_alias(prod: Package, ci: Package) -> None:
    function = prod.properties(FUNCTION_ID)
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    aliases = prod.of_type("AWS::Lambda::Alias")
    assert list(aliases) == ["GraphqlSnapStartLambdaAlias"]
    alias = aliases["GraphqlSnapStartLambdaAlias"]["Properties"]
    assert alias["FunctionName"] == {"Ref": FUNCTION_ID}
    [version_id, attribute] = alias["FunctionVersion"]["Fn::GetAtt"]
    assert attribute == "Version"
    assert prod.resources[version_id]["Type"] == "AWS::Lambda::Version"
    assert prod.properties(version_id)["FunctionName"] == {"Ref": FUNCTION_ID}
    # The HTTP API invokes the alias (the snapshot), not $LATEST.
    assert _graphql_integration_uris(prod) == [
        {"Fn::Join": [":", [{"Fn::GetAtt": [FUNCTION_ID, "Arn"]}, alias["Name"]]]}
    ]
    assert alias["Name"] == "snapstart"

    assert "SnapStart" not in ci.properties(FUNCTION_ID)
    assert ci.of_type("AWS::Lambda::Alias") == {}
    assert _graphql_integration_uris(ci) == [{"Fn::GetAtt": [FUNCTION_ID, "Arn"]}]


def _checkov_command(uv: str) -> list[str]:
    run = [uv, "tool", "run", "--python", sys.executable, "--from", CHECKOV, "checkov"]
    return [*run, "--quiet", "--compact", "--framework", "cloudformation"]


def test_templates_pass_the_checkov_policy_scan(packages: dict[str, Package]) -> None:
    """Checkov (PyPI, offline) on the packaged templates; each suppression is justified in the
    template (serverless.yml / infra/*.yml: Metadata.checkov.skip with a comment)."""
    uvx = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    for package in packages.values():
        scan = subprocess.run(
            [*_checkov_command(uvx), "-f", str(package.directory / TEMPLATE)],
            capture_output=True,
            text=True,
            timeout=PACKAGE_TIMEOUT_S,
            check=False,
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""},
        )
        assert scan.returncode == 0, f"checkov ({package.stage}):\n{scan.stdout}{scan.stderr}"


UPLOADS_ID = "UploadsBucket"
UPLOADS_ARN: dict[str, Any] = {"Fn::GetAtt": [UPLOADS_ID, "Arn"]}


def _uploads_prefix(prefix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [UPLOADS_ARN, f"/{prefix}*"]]}


@pytest.mark.parametrize(
    ("stage", "versioning", "origins"),
    [
        ("ci", "Suspended", ["https://dev.dangqun.example", "http://127.0.0.1:8000"]),
        ("prod", "Enabled", ["https://dangqun.example", "https://admin.dangqun.example"]),
    ],
)
def test_uploads_bucket_is_private_encrypted_and_cleans_orphans(
    packages: dict[str, Package], stage: str, versioning: str, origins: list[str]
) -> None:
    package = packages[stage]
    bucket = package.resources[UPLOADS_ID]
    assert bucket["Type"] == "AWS::S3::Bucket"
    assert bucket["DeletionPolicy"] == "Retain"
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert properties["VersioningConfiguration"] == {"Status": versioning}
    (cors,) = properties["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == origins
    assert set(cors["AllowedMethods"]) == {"GET", "HEAD", "POST"}
    rules = {rule["Id"]: rule for rule in properties["LifecycleConfiguration"]["Rules"]}
    orphans = rules["ExpireUnattachedUploads"]
    assert (orphans["Status"], orphans["Prefix"], orphans["ExpirationInDays"]) == (
        "Enabled",
        "uploads/",
        1,
    )
    variables = package.properties(FUNCTION_ID)["Environment"]["Variables"]
    assert variables["DANGQUN_UPLOADS_BUCKET"] == properties["BucketName"]
    assert properties["BucketName"] == f"dangqun-{stage}-uploads"
    # Plain HTTP is refused.
    (policy,) = (
        resource["Properties"]
        for resource in package.of_type("AWS::S3::BucketPolicy").values()
        if resource["Properties"]["Bucket"] == {"Ref": UPLOADS_ID}
    )
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_iam_grants_s3_on_the_upload_prefixes_only(ci: Package) -> None:
    def s3_statements(role: str) -> list[dict[str, Any]]:
        return [
            statement
            for statement in _policy_statements(ci, role)
            if any(
                str(action).startswith("s3:") for action in _as_list(statement.get("Action", []))
            )
        ]

    uploads, downloads = s3_statements(SHARED_ROLE)
    assert uploads["Effect"] == "Allow"
    assert set(_as_list(uploads["Action"])) == {"s3:PutObject", "s3:GetObject"}
    assert _as_list(uploads["Resource"]) == [
        _uploads_prefix("uploads/"),
        _uploads_prefix("files/"),
    ]
    # The graphql function signs export downloads: it reads exports/, never writes there.
    assert (downloads["Effect"], _as_list(downloads["Action"])) == ("Allow", ["s3:GetObject"])
    assert _as_list(downloads["Resource"]) == [_uploads_prefix("exports/")]
    # The export worker writes under exports/ only.
    (worker,) = s3_statements(EXPORT_ROLE)
    assert set(_as_list(worker["Action"])) == {"s3:PutObject", "s3:GetObject"}
    assert _as_list(worker["Resource"]) == [_uploads_prefix("exports/")]
    assert all(
        s3_statements(role) == []
        for role in ci.of_type("AWS::IAM::Role")
        if role not in (SHARED_ROLE, EXPORT_ROLE)
    )


def test_export_worker_has_its_own_role_and_runs_new_queued_jobs_from_the_stream(
    ci: Package,
) -> None:
    function = ci.properties(EXPORTS_ID)
    assert function["Handler"] == "functions/exports.handler"
    assert function["Role"] == {"Fn::GetAtt": [EXPORT_ROLE, "Arn"]}
    assert function["Layers"] == [{"Ref": LAYER_ID}]
    assert function["Timeout"] == 600
    (mapping,) = [
        ci.properties(m)
        for m in ci.of_type("AWS::Lambda::EventSourceMapping")
        if ci.properties(m)["FunctionName"] == {"Fn::GetAtt": [EXPORTS_ID, "Arn"]}
    ]
    assert mapping["EventSourceArn"] == STREAM_ARN
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 1 and mapping["ParallelizationFactor"] == 10
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == [
        {
            "eventName": ["INSERT"],
            "dynamodb": {"NewImage": {"type": {"S": ["ExportJob"]}, "state": {"S": ["QUEUED"]}}},
        }
    ]
    # DynamoDB: items of the table, Query on its indexes, the stream; no delete, no scan.
    statements = {s["Sid"]: s for s in _policy_statements(ci, EXPORT_ROLE)}
    table = statements["DangqunExportsTable"]
    assert set(_as_list(table["Action"])) == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem",
    }  # fmt: skip
    assert _as_list(table["Resource"]) == [TABLE_ARN]
    indexes = statements["DangqunExportsIndexes"]
    assert (_as_list(indexes["Action"]), _as_list(indexes["Resource"])) == (
        ["dynamodb:Query"], [INDEX_ARN],
    )  # fmt: skip
    stream = statements["DangqunExportsStream"]
    assert set(_as_list(stream["Action"])) == STREAM_ACTIONS
    assert _as_list(stream["Resource"]) == [STREAM_ARN]


def test_outputs(ci: Package) -> None:
    outputs = ci.template["Outputs"]
    for name in ("GraphqlUrl", "MainTableName", "MainTableArn", "AlarmTopicArn", "DashboardName"):
        assert name in outputs, name


# --- Artifacts --------------------------------------------------------------------------


def _file_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [info.filename for info in archive.infolist() if not info.is_dir()]


def _unreadable_by_others(path: Path) -> list[str]:
    """Lambda runs the code as another user than the files' owner."""
    with zipfile.ZipFile(path) as archive:
        return [
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and (info.external_attr >> 16) & 0o444 != 0o444
        ]


def test_function_zip_holds_only_application_code(ci: Package) -> None:
    names = _file_names(ci.function_zip)
    assert [name for name in names if not name.startswith(("api/", "schema/", "functions/"))] == []
    assert [name for name in names if "site-packages" in name or ".dist-info/" in name] == []
    assert any(name.startswith("api/") and name.endswith(".py") for name in names)
    assert any(name.startswith("schema/") for name in names)
    assert _unreadable_by_others(ci.function_zip) == []


def test_function_zip_has_the_handler_module(ci: Package) -> None:
    handler = ci.properties(FUNCTION_ID)["Handler"]
    module = handler.rsplit(".", 1)[0] + ".py"
    assert module == "functions/graphql.py"
    assert module in _file_names(ci.function_zip)


def _elf_machine(archive: zipfile.ZipFile, name: str) -> int:
    with archive.open(name) as file:
        header = file.read(20)
    assert header[:4] == b"\x7fELF", f"{name} is not an ELF file"
    assert header[4] == 2, f"{name} is not 64-bit"
    return int.from_bytes(header[18:20], "little")


def test_layer_zip_is_built_for_python312_arm64(ci: Package) -> None:
    names = _file_names(ci.layer_zip)
    assert [name for name in names if not name.startswith("python/")] == []
    for package in LAYER_PACKAGES:
        assert any(name.startswith(f"python/{package}/") for name in names), package
    assert PYDANTIC_CORE_SO in names

    shared_objects = [name for name in names if re.search(r"\.so(\.\d+)*$", name)]
    assert shared_objects
    with zipfile.ZipFile(ci.layer_zip) as archive:
        for name in shared_objects:
            assert "x86_64" not in name and "amd64" not in name, name
            assert re.findall(r"cpython-(\d+)", name) in ([], ["312"]), name
            assert _elf_machine(archive, name) == EM_AARCH64, name

    assert [name for name in names if name.startswith("python/bin/")] == []
    assert _unreadable_by_others(ci.layer_zip) == []


# CPython 3.12's bytecode magic number (importlib.util.MAGIC_NUMBER) and the PEP 552 flags of
# an unchecked hash-based .pyc: bit 0 hash-based, bit 1 (check_source) clear.
PY312_MAGIC = (3531).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH_FLAGS = 0b01


def _bytecode_problems(path: Path) -> list[str]:
    """Every module (.py) in the zip has its CPython 3.12 .pyc next to it, compiled with
    unchecked hashes (used by Lambda without a writable cache or a source check); and no
    bytecode of another interpreter ships."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for name in sorted(names):
            if name.endswith(".pyc"):
                if not re.search(r"/__pycache__/[^/]+\.cpython-312\.pyc$", name):
                    problems.append(f"foreign bytecode {name}")
                continue
            if not name.endswith(".py"):
                continue
            directory, _, file = name.rpartition("/")
            pyc = f"{directory}/__pycache__/{file[:-3]}.cpython-312.pyc".lstrip("/")
            if pyc not in names:
                problems.append(f"no 3.12 bytecode for {name}")
                continue
            header = archive.read(pyc)[:16]
            if header[:4] != PY312_MAGIC:
                problems.append(f"{pyc} was not compiled by CPython 3.12")
            elif int.from_bytes(header[4:8], "little") != UNCHECKED_HASH_FLAGS:
                problems.append(f"{pyc} is not an unchecked-hash .pyc")
    return problems


@pytest.mark.parametrize("artifact", ["function", "layer"])
def test_every_module_ships_python312_bytecode(ci: Package, prod: Package, artifact: str) -> None:
    for package in (ci, prod):
        path = package.function_zip if artifact == "function" else package.layer_zip
        assert _bytecode_problems(path) == [], package.stage


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def test_layer_holds_exactly_the_locked_runtime_dependencies(ci: Package) -> None:
    pinned: dict[str, str] = {}
    for line in LAMBDA_REQUIREMENTS.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pinned[_distribution(match[1])] = match[2]
    assert {"strawberry_graphql", "mangum", "pynamodb", "pydantic", "pyjwt", "botocore"} <= set(
        pinned
    )
    assert "boto3" not in pinned and "pytest" not in pinned

    installed: dict[str, str] = {}
    for name in _file_names(ci.layer_zip):
        match = re.match(r"^python/([^/]+)-([^-/]+)\.dist-info/METADATA$", name)
        if match:
            installed[_distribution(match[1])] = match[2]
    assert installed == pinned


def test_code_fits_lambda_size_limit(ci: Package) -> None:
    total = 0
    for path in (ci.function_zip, ci.layer_zip):
        with zipfile.ZipFile(path) as archive:
            total += sum(info.file_size for info in archive.infolist())
    assert total < LAMBDA_UNZIPPED_LIMIT


# --- Imports ----------------------------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Modules one file imports at run time (function-level imports included, imports under
    ``if TYPE_CHECKING:`` left out). ``from a import b`` requires ``a`` and may import the
    module ``a.b``."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.required: set[str] = set()
        self.optional: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for statement in node.orelse:
                self.visit(statement)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.required.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            base = ".".join(parts[: len(parts) - (node.level - 1)])
            target = f"{base}.{node.module}" if node.module else base
        else:
            target = node.module or ""
        self.required.add(target)
        self.optional.update(f"{target}.{alias.name}" for alias in node.names)


def _layer_top_level_modules(layer_names: list[str]) -> set[str]:
    modules: set[str] = set()
    for name in layer_names:
        first, _, rest = name.removeprefix("python/").partition("/")
        if rest:
            if not first.endswith((".dist-info", ".data")):
                modules.add(first)
        elif first.endswith((".py", ".so")):
            modules.add(first.split(".", 1)[0])
    return modules


def _unresolved_imports(package: Package, entry: str) -> dict[str, str]:
    """Import name -> importing module, for every module reachable from `entry` through the
    application's own imports that neither the function zip, the layer nor the standard
    library provides."""
    with zipfile.ZipFile(package.function_zip) as archive:
        sources = {name: archive.read(name) for name in archive.namelist() if name.endswith(".py")}
    available = (
        _layer_top_level_modules(_file_names(package.layer_zip))
        | set(sys.stdlib_module_names)
        | RUNTIME_MODULES
    )

    def source_file(module: str) -> str | None:
        path = module.replace(".", "/")
        for candidate in (f"{path}.py", f"{path}/__init__.py"):
            if candidate in sources:
                return candidate
        return None

    missing: dict[str, str] = {}
    seen: set[str] = set()
    pending: list[tuple[str, str]] = [(entry, "<handler>")]
    while pending:
        module, importer = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        top = module.split(".")[0]
        if top not in APPLICATION_PACKAGES:
            if top not in available:
                missing.setdefault(top, importer)
            continue
        parts = module.split(".")
        pending.extend((".".join(parts[:i]), importer) for i in range(1, len(parts)))
        path = source_file(module)
        if path is None:
            missing.setdefault(module, importer)
            continue
        imports = _Imports(module, path.endswith("__init__.py"))
        imports.visit(ast.parse(sources[path], filename=path))
        pending.extend((name, module) for name in imports.required)
        # `from api.services import people` imports the module api.services.people.
        pending.extend((name, module) for name in imports.optional if source_file(name))
    return missing


@pytest.mark.parametrize(
    "function_id", [FUNCTION_ID, SWEEPER_ID, MIGRATE_ID, EVENTS_ID, EXPORTS_ID]
)
def test_handler_imports_resolve_in_the_package(ci: Package, function_id: str) -> None:
    """What a handler imports (transitively through api/, schema/, functions/) is in the
    function zip, in the layer or in the standard library: no ImportError on a cold start."""
    handler = ci.properties(function_id)["Handler"]
    entry = handler.rsplit(".", 1)[0].replace("/", ".")
    assert _unresolved_imports(ci, entry) == {}


def test_sweeper_runs_every_minute(ci: Package) -> None:
    sweeper = ci.properties(SWEEPER_ID)
    assert sweeper["Runtime"] == "python3.12"
    assert sweeper["Handler"] == "functions/sweeper.handler"
    assert sweeper["Layers"] == [{"Ref": LAYER_ID}]
    rules = list(ci.of_type("AWS::Events::Rule"))
    assert len(rules) == 1
    rule = ci.properties(rules[0])
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    assert rule["State"] == "ENABLED"
    targets = rule["Targets"]
    assert len(targets) == 1 and targets[0]["Arn"] == {"Fn::GetAtt": [SWEEPER_ID, "Arn"]}
    permissions = [ci.properties(p) for p in ci.of_type("AWS::Lambda::Permission")]
    sweeper_arn = {"Fn::GetAtt": [SWEEPER_ID, "Arn"]}
    assert any(
        p["Principal"] == "events.amazonaws.com" and p["FunctionName"] == sweeper_arn
        for p in permissions
    )


def test_table_has_a_stream_with_both_images(ci: Package) -> None:
    table = ci.properties(TABLE_ID)
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_events_function_consumes_the_stream_filtered_with_partial_failures(ci: Package) -> None:
    function = ci.properties(EVENTS_ID)
    assert function["Handler"] == "functions/events.handler"
    assert function["Layers"] == [{"Ref": LAYER_ID}]
    variables = function["Environment"]["Variables"]
    assert variables["DANGQUN_WECHAT_API_BASE"].startswith("https://")
    assert variables["DANGQUN_SMS_API_BASE"].startswith("https://")
    [mapping] = [
        ci.properties(m)
        for m in ci.of_type("AWS::Lambda::EventSourceMapping")
        if ci.properties(m)["FunctionName"] == {"Fn::GetAtt": [EVENTS_ID, "Arn"]}
    ]
    assert mapping["EventSourceArn"] == STREAM_ARN
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert mapping["MaximumBatchingWindowInSeconds"] == 1  # latency: at most a second waiting
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": [DLQ_ID, "Arn"]}
    assert ci.resources[DLQ_ID]["Type"] == "AWS::SQS::Queue"
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    from api.store.stream_codec import STREAM_TYPES

    announcing = {t for p in patterns for t in p["dynamodb"]["NewImage"]["type"]["S"]}
    assert announcing == {*STREAM_TYPES, "Delivery"}
    replay = [p for p in patterns if p["dynamodb"]["NewImage"]["type"]["S"] == ["Delivery"]]
    assert replay and replay[0]["dynamodb"]["NewImage"]["state"]["S"] == ["REPLAY"]
    # The function may send to its dead-letter queue and nowhere else.
    sends = [
        statement
        for statement in _policy_statements(ci)
        if "sqs:SendMessage" in _as_list(statement.get("Action", []))
    ]
    assert sends and all(
        _as_list(s["Resource"]) == [{"Fn::GetAtt": [DLQ_ID, "Arn"]}] for s in sends
    )
