"""Every service live, and (Render) every service on the same commit.

Local: the platform adapter reports each process running or not. Render: the latest deploy of
each service is ``live`` and the service is not suspended; ``deploy.same_commit`` compares the
commit each service's latest deploy was built from.
"""

from __future__ import annotations

from typing import Final

from cutover.platform.base import DeployStatus
from verification.checks.common import Timer
from verification.gate import CheckResult, CheckStatus
from verification.targets.base import Target
from verification.thresholds import (
    LIVENESS_BEAT,
    LIVENESS_CHANNELS,
    LIVENESS_WEB,
    LIVENESS_WORKER,
    SAME_COMMIT,
)

CHECK_BY_ROLE: Final = {
    "web": LIVENESS_WEB,
    "channels": LIVENESS_CHANNELS,
    "worker": LIVENESS_WORKER,
    "beat": LIVENESS_BEAT,
}


def liveness_checks(target: Target) -> tuple[list[CheckResult], DeployStatus | None]:
    timer = Timer()
    results: list[CheckResult] = []
    if target.platform is None:
        for name in CHECK_BY_ROLE.values():
            reason = "no platform adapter for this target: liveness cannot be observed"
            results.append(CheckResult(name, CheckStatus.SKIP, evidence={"reason": reason}))
        return results, None
    try:
        status = target.platform.deploy_status()
    except Exception as exc:
        for name in CHECK_BY_ROLE.values():
            reason = f"the platform could not be asked: {type(exc).__name__}: {exc}"
            results.append(
                CheckResult(name, CheckStatus.ERROR, evidence={"reason": reason}, duration=0.0)
            )
        return results, None
    seconds = timer.seconds
    for role, name in CHECK_BY_ROLE.items():
        state = status.service(role)
        if name in target.limitations:
            results.append(
                CheckResult(name, CheckStatus.SKIP, evidence={"reason": target.limitations[name]})
            )
            continue
        if state is None:
            evidence = {"reason": f"the platform reports no {role} service"}
            results.append(CheckResult(name, CheckStatus.FAIL, evidence=evidence))
            continue
        evidence = {"platform": status.platform, **state.as_dict()}
        if not state.live:
            evidence["reason"] = f"{state.name} is not live: {state.status} ({state.detail})"
        results.append(
            CheckResult(
                name,
                CheckStatus.PASS if state.live else CheckStatus.FAIL,
                evidence=evidence,
                duration=seconds / len(CHECK_BY_ROLE),
                n=1,
                threshold="running (local) / latest deploy live and not suspended (Render)",
            )
        )
    return results, status


def same_commit_check(status: DeployStatus | None) -> CheckResult:
    """Every service's latest deploy built from one commit (Render)."""
    threshold = "all four services on one commit"
    if status is None:
        reason = "deploy status unavailable (see the liveness checks)"
        return CheckResult(SAME_COMMIT, CheckStatus.SKIP, evidence={"reason": reason})
    commits = status.commits
    same = status.same_commit
    if same is None:
        unknown = sorted(role for role, commit in commits.items() if commit is None)
        evidence = {"commits": commits, "reason": f"no commit reported for {', '.join(unknown)}"}
        return CheckResult(SAME_COMMIT, CheckStatus.FAIL, evidence=evidence, threshold=threshold)
    evidence = {"commits": commits}
    if not same:
        evidence["reason"] = "services run different commits"
    return CheckResult(
        SAME_COMMIT,
        CheckStatus.PASS if same else CheckStatus.FAIL,
        evidence=evidence,
        n=len(commits),
        threshold=threshold,
    )
