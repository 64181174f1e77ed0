"""``python -m infra.aws [--stage dev] [--out cdk.out]``: synthesise the stack offline and check it with cdk-nag.

No AWS credentials or network are needed. ``cdk deploy --app cdk.out`` (or ``make deploy``) deploys it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.aws.stack import SaringStack, stack_environment

# Server access logs through a bucket policy, not the legacy ACL (cfn-lint W3045).
CONTEXT = {"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True}


def build(
    stage: str, out: Path, alarm_email: str | None = None, mail_domain: str | None = None
) -> tuple[cdk.App, SaringStack]:
    """The app with one stage's stack, checked by cdk-nag's AWS Solutions rules when synthesised."""
    app = cdk.App(outdir=str(out), context=CONTEXT)
    stack = SaringStack(
        app, f"saring-{stage}", stage=stage, alarm_email=alarm_email, mail_domain=mail_domain, env=stack_environment()
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def synth(stage: str, out: Path, alarm_email: str | None = None, mail_domain: str | None = None) -> Path:
    """Synthesise one stage's stack into ``out``; returns its template. A cdk-nag error fails the synth."""
    app, stack = build(stage, out, alarm_email, mail_domain)
    app.synth()
    return out / f"{stack.stack_name}.template.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.aws", description=__doc__)
    parser.add_argument("--stage", default="dev", choices=["dev", "prod"])
    parser.add_argument("--out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--alarm-email", help="subscribe this address to the alarms topic")
    parser.add_argument("--mail-domain", help="take complaints by e-mail at aduan@<this domain> (SES receiving)")
    args = parser.parse_args(argv)
    template = synth(args.stage, args.out, args.alarm_email, args.mail_domain)
    print(f"synthesised {template}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
