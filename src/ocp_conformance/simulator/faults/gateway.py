"""Faults of the gateway's generic refusals (a function not subscribed, the rate limit, the service down or
closed): a right refusal answered with the wrong status or code, or without saying when to retry."""

from __future__ import annotations

from ocp_conformance.simulator.faults.fault import Fault
from ocp_conformance.simulator.refusals import Refusal

__all__ = ["GATEWAY_FAULTS"]

GATEWAY_FAULTS: list[Fault] = [
    Fault("rate-limit-answered-as-unavailable", "Enquire Money Position", "negative",
          "Enquire Money Position answers its rate limit as 503 SERVICE_UNAVAILABLE instead of 429 RATE_LIMITED, "
          "so a client backs off as for an outage",
          refusals={("enquireMoneyPosition", "RATE_LIMITED"):
                    Refusal(503, "SERVICE_UNAVAILABLE", "{function} is unavailable", retry_after=True)}),
    Fault("not-subscribed-answered-as-unauthenticated", "Change DI Requirement", "negative",
          "Change DI Requirement answers a function not subscribed as 401 UNAUTHENTICATED instead of 403 "
          "FUNCTION_NOT_SUBSCRIBED, so a client renews a token that is fine",
          refusals={("changeDiRequirement", "FUNCTION_NOT_SUBSCRIBED"):
                    Refusal(401, "UNAUTHENTICATED", "{participant} is not authenticated", retry_after=False)}),
    Fault("unavailable-without-retry-after", "Input SI", "negative",
          "Input SI answers 503 SERVICE_UNAVAILABLE without the Retry-After header the contract declares",
          refusals={("inputSi", "SERVICE_UNAVAILABLE"):
                    Refusal(503, "SERVICE_UNAVAILABLE", "{function} is down for maintenance", retry_after=False)}),
]
