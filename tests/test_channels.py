"""Channel plugins against real receivers on 127.0.0.1: an HTTP server and an SMTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from statusmark.notify.channels import channel_types
from statusmark.notify.channels.apprise_channel import AppriseChannel, TargetsFailed
from statusmark.notify.channels.base import LITERAL_SECRET, Channel, SendFailed
from statusmark.notify.channels.email import EmailChannel
from statusmark.notify.channels.pagerduty import PagerDutyChannel
from statusmark.notify.channels.slack import SlackChannel
from statusmark.notify.channels.sms import SmsChannel
from statusmark.notify.channels.sms_text import encoding, fit, segments
from statusmark.notify.channels.teams import TeamsChannel
from statusmark.notify.channels.webhook import WebhookChannel
from statusmark.notify.message import Message, Recipient
from statusmark.notify.secrets import EnvRef, MissingSecret

from . import receivers
from .receivers import HttpReceiver, SmtpReceiver

# The real receivers' fixtures, used by name below.
http_receiver = receivers.http_receiver
smtp_receiver = receivers.smtp_receiver
closed_port = receivers.closed_port
tls_cert = receivers.tls_cert

AT = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET_PATH = "/services/T0001/B0002/s3cr3tXYZtoken"
EVERYONE = Recipient("*")


def message(**changes: Any) -> Message:
    fields: dict[str, Any] = {
        "key": "2026-11-23-api/1/customers/*/chat",
        "idempotency_key": "2026-11-23-api.1.customers.chat",
        "event_id": "2026-11-23-api",
        "title": "Elevated API errors",
        "subject": "Investigating: Elevated API errors",
        "text": "We are investigating **elevated error rates** on the [API](https://status.example.com/api).",
        "html": "<p>We are investigating <strong>elevated error rates</strong> on the API.</p>",
        "short": "Elevated API errors; we are investigating.",
        "link": "https://status.example.com/incidents/2026-11-23-api/",
        "impact": "major",
        "status": "investigating",
        "resolved": False,
        "components": ("Public API", "Dashboard"),
        "at": AT,
    }
    fields.update(changes)
    return Message(**fields)


def post_through(channel: Channel, msg: Message, recipient: Recipient = EVERYONE, timeout: float = 5) -> bytes:
    payload = channel.payload(msg, recipient)
    channel.send(payload, msg, recipient, timeout)
    return payload.body


def failure(
    channel: Channel, msg: Message | None = None, recipient: Recipient = EVERYONE, timeout: float = 5
) -> SendFailed:
    msg = msg or message()
    with pytest.raises(SendFailed) as caught:
        channel.send(channel.payload(msg, recipient), msg, recipient, timeout)
    return caught.value


# --- registry and options --------------------------------------------------------------------------------


def test_all_channels_are_registered_by_entry_point() -> None:
    assert set(channel_types()) >= {"slack", "teams", "webhook", "pagerduty", "email", "sms", "apprise"}
    assert channel_types()["apprise"] is AppriseChannel


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (SlackChannel, {"url": "https://hooks.slack.com/services/T/B/x"}),
        (TeamsChannel, {"url": "https://example.logic.azure.com/workflows/1?sig=abc"}),
        (WebhookChannel, {"url": "https://example.com/hook", "secret": WHSEC}),
        (PagerDutyChannel, {"routing_key": "R0123456789abcdef0123456789abcdef"}),
        (EmailChannel, {"host": "smtp.example.com", "from": "status@example.com", "username": "u", "password": "pw"}),
        (SmsChannel, {"url": "https://sms.example.com/send", "token": "tok"}),
        (AppriseChannel, {"urls": [EnvRef("OK"), "tgram://bottoken/chat"]}),
    ],
)
def test_check_options_flags_every_literal_secret(cls: type[Channel], options: dict[str, Any]) -> None:
    problems = cls.check_options({"type": cls.type, **options})
    flagged = {key for key, why in problems if why == LITERAL_SECRET}
    assert flagged == set(cls.secret_options)
    written_as_env = {key: EnvRef("X") if key in cls.secret_options else value for key, value in options.items()}
    assert cls.check_options({"type": cls.type, **written_as_env}) == []


def test_check_options_flags_missing_and_unknown_options() -> None:
    problems = dict(EmailChannel.check_options({"type": "email", "host": "smtp.example.com", "colour": "red"}))
    assert problems["from"] == "required by a email channel"
    assert problems["colour"].startswith("unknown option")
    assert dict(SmsChannel.check_options({"url": EnvRef("U"), "max_segments": 0})) == {
        "max_segments": "a whole number from 1 to 10"
    }
    assert dict(EmailChannel.check_options({"host": "h", "from": "f", "ssl": True, "starttls": True}))["starttls"]


# --- Slack --------------------------------------------------------------------------------------------------


def slack(receiver: HttpReceiver, **env: str) -> SlackChannel:
    return SlackChannel("ops", {"url": EnvRef("SLACK_URL")}, {"SLACK_URL": receiver.url(SECRET_PATH), **env})


def test_slack_block_kit_payload() -> None:
    body = json.loads(SlackChannel("ops", {"url": EnvRef("SLACK_URL")}, {}).payload(message(), EVERYONE).body)
    header, section, context, actions = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Elevated API errors"}}
    # Markdown becomes mrkdwn: **bold** is *bold*, [t](u) is <u|t>.
    assert section["text"] == {
        "type": "mrkdwn",
        "text": "We are investigating *elevated error rates* on the <https://status.example.com/api|API>.",
    }
    facts = context["elements"][0]["text"]
    assert "*Impact:* major" in facts and "*Status:* investigating" in facts and "Public API, Dashboard" in facts
    button = actions["elements"][0]
    assert button["type"] == "button" and button["url"] == message().link
    assert body["text"] == "Elevated API errors; we are investigating."


def test_slack_respects_block_kit_limits_for_long_text() -> None:
    long_text = "\n\n".join(f"Paragraph {n}: " + "word " * 60 for n in range(34))[:10_000]
    msg = message(title="T" * 400, text=long_text)
    body = json.loads(SlackChannel("ops", {"url": EnvRef("U")}, {}).payload(msg, EVERYONE).body)
    blocks = body["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(0 < len(text) <= 3000 for text in sections)
    assert len(sections) == 4  # 10,000 characters, split at paragraph breaks, nothing dropped
    assert " ".join(sections).split() == long_text.split()
    assert len(body["text"]) <= 3000


def test_slack_cuts_text_past_ten_sections_and_points_at_the_page() -> None:
    msg = message(text="x " * 40_000)
    blocks = json.loads(SlackChannel("ops", {"url": EnvRef("U")}, {}).payload(msg, EVERYONE).body)["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) == 10
    assert sections[-1].endswith(f"<{msg.link}|Read the full update>")
    assert all(len(text) <= 3000 for text in sections)


def test_slack_escapes_control_characters() -> None:
    body = json.loads(SlackChannel("ops", {"url": EnvRef("U")}, {}).payload(message(text="a <b> & c"), EVERYONE).body)
    assert body["blocks"][1]["text"]["text"] == "a &lt;b&gt; &amp; c"


def test_slack_drill_is_clearly_marked() -> None:
    body = json.loads(SlackChannel("ops", {"url": EnvRef("U")}, {}).payload(message(drill=True), EVERYONE).body)
    assert body["text"].startswith("[TEST] ")
    assert body["blocks"][0]["text"]["text"].startswith("[TEST] ")
    assert "This is a drill" in body["blocks"][1]["text"]["text"]


def test_slack_posts_the_payload(http_receiver: HttpReceiver) -> None:
    sent = post_through(slack(http_receiver), message())
    (request,) = http_receiver.requests
    assert (request.method, request.path, request.body) == ("POST", SECRET_PATH, sent)
    assert request.headers["content-type"] == "application/json"


# --- Teams --------------------------------------------------------------------------------------------------


def test_teams_adaptive_card() -> None:
    body = json.loads(TeamsChannel("ops", {"url": EnvRef("TEAMS_URL")}, {}).payload(message(), EVERYONE).body)
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    title, text, facts = card["body"]
    assert title["type"] == text["type"] == "TextBlock" and title["text"] == "Elevated API errors"
    assert text["text"] == message().text and text["wrap"] is True
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "Impact", "value": "major"},
            {"title": "Status", "value": "investigating"},
            {"title": "Components", "value": "Public API, Dashboard"},
        ],
    }
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "View on the status page", "url": message().link}]


def test_teams_stays_under_the_message_size_limit() -> None:
    channel = TeamsChannel("ops", {"url": EnvRef("U")}, {})
    body = channel.payload(message(text="Störung " * 10_000, drill=True), EVERYONE).body
    assert len(body) < 28_000
    card = json.loads(body)["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("This is a drill")
    assert card["body"][2]["text"].endswith(f"[Read the full update]({message().link})")


@pytest.mark.parametrize("status", [200, 202])
def test_teams_accepts_200_and_202(http_receiver: HttpReceiver, status: int) -> None:
    http_receiver.respond_with(status)
    channel = TeamsChannel("ops", {"url": EnvRef("TEAMS_URL")}, {"TEAMS_URL": http_receiver.url("/workflows/1")})
    post_through(channel, message())
    assert http_receiver.requests[0].json()["attachments"][0]["content"]["type"] == "AdaptiveCard"


# --- Standard Webhooks -------------------------------------------------------------------------------------


def webhook(receiver: HttpReceiver) -> WebhookChannel:
    return WebhookChannel(
        "ops", {"url": receiver.url("/hooks/status"), "secret": EnvRef("WH_SECRET")}, {"WH_SECRET": WHSEC}
    )


def test_webhook_signature_verifies_at_the_receiver(http_receiver: HttpReceiver) -> None:
    msg = message()
    post_through(webhook(http_receiver), msg)
    (request,) = http_receiver.requests
    assert request.headers["webhook-id"] == msg.idempotency_key
    verified = Webhook(WHSEC).verify(request.body, request.headers)
    assert verified == request.json()
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)
    assert WebhookChannel.deduplicates is True


def test_webhook_body_schema() -> None:
    body = json.loads(WebhookChannel("ops", {"url": "u", "secret": EnvRef("S")}, {}).payload(message(), EVERYONE).body)
    assert body == {
        "type": "incident.updated",
        "timestamp": "2026-11-23T12:30:00Z",
        "data": {
            "event_id": "2026-11-23-api",
            "title": "Elevated API errors",
            "kind": "incident",
            "impact": "major",
            "status": "investigating",
            "resolved": False,
            "components": ["Public API", "Dashboard"],
            "subject": "Investigating: Elevated API errors",
            "text": message().text,
            "link": message().link,
            "at": "2026-11-23T12:30:00Z",
            "drill": False,
            "correction": False,
        },
    }


def test_webhook_bad_secret_is_permanent_and_not_quoted(http_receiver: HttpReceiver) -> None:
    channel = WebhookChannel(
        "ops", {"url": http_receiver.url("/h"), "secret": EnvRef("S")}, {"S": "whsec_%%%notbase64"}
    )
    error = failure(channel)
    assert error.permanent and "notbase64" not in str(error)
    assert http_receiver.requests == []


# --- PagerDuty ----------------------------------------------------------------------------------------------


def pagerduty(receiver: HttpReceiver) -> PagerDutyChannel:
    options = {"routing_key": EnvRef("PD_KEY"), "url": receiver.url("/v2/enqueue")}
    return PagerDutyChannel("oncall", options, {"PD_KEY": "R0123456789abcdef0123456789abcdef"})


def test_pagerduty_trigger_then_resolve_share_the_dedup_key(http_receiver: HttpReceiver) -> None:
    http_receiver.respond_with(202, body='{"status":"success","dedup_key":"x"}')
    channel = pagerduty(http_receiver)
    post_through(channel, message())
    post_through(channel, message(resolved=True, status="resolved"))
    trigger, resolve = (request.json() for request in http_receiver.requests)
    assert (trigger["event_action"], resolve["event_action"]) == ("trigger", "resolve")
    assert trigger["dedup_key"] == resolve["dedup_key"] == "statusmark-2026-11-23-api"
    assert trigger["routing_key"] == "R0123456789abcdef0123456789abcdef"
    alert = trigger["payload"]
    assert alert["severity"] == "error" and alert["source"] == "status.example.com"
    assert alert["summary"] == "Elevated API errors: Elevated API errors; we are investigating."
    assert trigger["links"] == [{"href": message().link, "text": "Status page"}]
    assert PagerDutyChannel.deduplicates is True


@pytest.mark.parametrize(
    ("impact", "severity"),
    [("critical", "critical"), ("major", "error"), ("minor", "warning"), ("none", "info"), ("maintenance", "info")],
)
def test_pagerduty_severity_from_impact(impact: str, severity: str) -> None:
    channel = PagerDutyChannel("oncall", {"routing_key": EnvRef("PD_KEY")}, {})
    assert json.loads(channel.payload(message(impact=impact), EVERYONE).body)["payload"]["severity"] == severity


def test_pagerduty_payload_is_secret_free_and_bounded() -> None:
    channel = PagerDutyChannel("oncall", {"routing_key": EnvRef("PD_KEY")}, {"PD_KEY": "R-secret-key"})
    body = json.loads(channel.payload(message(short="s" * 2000, drill=True, impact="critical"), EVERYONE).body)
    assert "routing_key" not in body
    assert len(body["payload"]["summary"]) <= 1024 and body["payload"]["summary"].startswith("[TEST] ")
    assert body["payload"]["severity"] == "info"  # a drill never pages at a real severity


# --- e-mail -------------------------------------------------------------------------------------------------

SUBSCRIBER = Recipient("ada", "ada@example.org", unsubscribe="https://status.example.com/unsubscribe?t=abc")


def email(port: int, **options: Any) -> EmailChannel:
    base = {"host": "127.0.0.1", "port": port, "starttls": False, "from": "Status <status@example.com>"}
    return EmailChannel("mail", {**base, **options}, {"SMTP_PASSWORD": "pa55-w0rd-XYZ"})


def parts(mail: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in mail.iter_parts()}


def test_email_over_real_smtp(smtp_receiver: SmtpReceiver) -> None:
    msg = message(text="Zürich datacentre — elevated errors.")
    post_through(email(smtp_receiver.port), msg, SUBSCRIBER)
    (mail,) = smtp_receiver.messages
    assert smtp_receiver.envelopes[0].mail_from == "status@example.com"
    assert smtp_receiver.envelopes[0].rcpt_tos == ["ada@example.org"]
    assert mail.get_content_type() == "multipart/alternative"
    bodies = parts(mail)
    assert set(bodies) == {"text/plain", "text/html"}
    assert "Zürich datacentre — elevated errors." in bodies["text/plain"] and msg.link in bodies["text/plain"]
    assert "<strong>elevated error rates</strong>" in bodies["text/html"]
    assert mail["Subject"] == "Investigating: Elevated API errors"
    assert mail["To"] == "ada@example.org"
    assert parsedate_to_datetime(mail["Date"]) == AT
    assert mail["Message-ID"] == "<2026-11-23-api.1.customers.chat@statusmark>"
    assert mail["List-Unsubscribe"] == "<https://status.example.com/unsubscribe?t=abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_email_payload_is_a_deterministic_rfc5322_message() -> None:
    channel = EmailChannel("mail", {"host": "h", "from": "status@example.com"}, {})
    first = channel.payload(message(), SUBSCRIBER)
    assert (first.media_type, first.suffix) == ("message/rfc822", ".eml")
    assert channel.payload(message(), SUBSCRIBER) == first
    assert b"\r\nDate: " + format_datetime(AT).encode() + b"\r\n" in first.body


def test_email_drill_and_mailto_unsubscribe() -> None:
    channel = EmailChannel("mail", {"host": "h", "from": "status@example.com"}, {})
    recipient = Recipient("ada", "ada@example.org", unsubscribe="mailto:unsubscribe@example.com")
    payload = channel.payload(message(drill=True), recipient)
    text = payload.body.decode()
    assert "Subject: [TEST] Investigating" in text and "This is a drill" in text
    assert "List-Unsubscribe: <mailto:unsubscribe@example.com>" in text
    assert "List-Unsubscribe-Post" not in text  # one-click needs an https URL


def test_email_starttls_and_login(tls_cert: tuple[Path, Path]) -> None:
    receiver = SmtpReceiver(tls=tls_cert, require_starttls=True, login=("status", "pa55-w0rd-XYZ"))
    try:
        channel = email(
            receiver.port, starttls=True, username="status", password=EnvRef("SMTP_PASSWORD"), ca_file=str(tls_cert[0])
        )
        post_through(channel, message(), SUBSCRIBER)
        assert receiver.logins == [("status", "pa55-w0rd-XYZ")]
        assert len(receiver.messages) == 1
        wrong = EmailChannel(channel.name, channel.options, {"SMTP_PASSWORD": "wrong-pa55"})
        error = failure(wrong, recipient=SUBSCRIBER)
        assert error.permanent and "login refused" in str(error) and "wrong-pa55" not in str(error)
    finally:
        receiver.close()


def test_email_untrusted_certificate_is_refused(tls_cert: tuple[Path, Path]) -> None:
    receiver = SmtpReceiver(tls=tls_cert, require_starttls=True)
    try:
        # No ca_file: the self-signed certificate is not trusted, and nothing is sent in the clear.
        error = failure(email(receiver.port, starttls=True), recipient=SUBSCRIBER)
        assert error.permanent and "not trusted" in str(error)
        assert receiver.messages == []
    finally:
        receiver.close()


def test_email_implicit_tls(tls_cert: tuple[Path, Path]) -> None:
    receiver = SmtpReceiver(tls=tls_cert, implicit_tls=True)
    try:
        post_through(email(receiver.port, ssl=True, ca_file=str(tls_cert[0])), message(), SUBSCRIBER)
        assert len(receiver.messages) == 1
    finally:
        receiver.close()


def test_email_starttls_against_a_server_without_it(smtp_receiver: SmtpReceiver) -> None:
    error = failure(email(smtp_receiver.port, starttls=True), recipient=SUBSCRIBER)
    assert error.permanent and "does not offer STARTTLS" in str(error)
    assert smtp_receiver.messages == []


@pytest.mark.parametrize(
    ("answer", "permanent"), [("451 4.3.0 Try again later", False), ("550 5.1.1 No such user", True)]
)
def test_email_refusal_is_classified(smtp_receiver: SmtpReceiver, answer: str, permanent: bool) -> None:
    smtp_receiver.respond_with(answer)
    error = failure(email(smtp_receiver.port), recipient=SUBSCRIBER)
    assert (error.permanent, error.outcome_unknown) == (permanent, False)
    assert answer.split()[0] in str(error)


def test_email_timeout_during_data_is_an_unknown_outcome(smtp_receiver: SmtpReceiver) -> None:
    smtp_receiver.respond_with("250 OK", delay=1.5)
    error = failure(email(smtp_receiver.port, timeout=0.5), recipient=SUBSCRIBER)
    assert error.outcome_unknown and not error.permanent


def test_email_refused_connection(closed_port: int) -> None:
    error = failure(email(closed_port), recipient=SUBSCRIBER)
    assert not error.outcome_unknown and not error.permanent and "connection refused" in str(error)


def test_email_needs_an_address(smtp_receiver: SmtpReceiver) -> None:
    assert failure(email(smtp_receiver.port), recipient=Recipient("ada")).permanent


# --- SMS ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_encoding", "count"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),  # 2 x 153
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("ж" * 70, "UCS-2", 1),
        ("ж" * 71, "UCS-2", 2),
        ("ж" * 134, "UCS-2", 2),  # 2 x 67
        ("ж" * 135, "UCS-2", 3),
        ("a" * 69 + "😀", "UCS-2", 2),  # one emoji turns it all into UCS-2, and takes two units
        ("a" * 68 + "😀", "UCS-2", 1),
        ("Straße, Åre, café", "GSM-7", 1),
        ("“quoted”", "UCS-2", 1),
    ],
)
def test_sms_segments(text: str, expected_encoding: str, count: int) -> None:
    assert encoding(text) == expected_encoding
    assert segments(text) == count


def test_sms_fit_keeps_short_text_and_link() -> None:
    assert fit("API errors", "https://s.example/i/1") == "API errors https://s.example/i/1"


def test_sms_fit_cuts_gsm_text_with_three_dots_to_stay_gsm() -> None:
    link = "https://status.example.com/i/42"
    text = fit("Elevated API errors in all regions " * 10, link)
    assert text.endswith(f"... {link}") and encoding(text) == "GSM-7" and segments(text) == 1
    assert len(text) > 150


def test_sms_fit_cuts_unicode_text_with_an_ellipsis() -> None:
    link = "https://status.example.com/i/42"
    text = fit("Störung 😀 " * 40, link, max_segments=2)
    assert text.endswith(f"… {link}") and segments(text) == 2


def test_sms_fit_drops_a_link_that_leaves_no_room() -> None:
    text = fit("Elevated API errors in all regions. " * 10, "https://example.com/" + "x" * 150)
    assert text.endswith("...") and "https" not in text and segments(text) == 1


@settings(max_examples=200)
@given(st.text(max_size=600), st.sampled_from(["", "https://s.example/i/1"]), st.integers(1, 4))
def test_sms_fit_always_fits(text: str, link: str, max_segments: int) -> None:
    assert segments(fit(text, link, max_segments)) <= max_segments


def test_sms_posts_to_the_gateway(http_receiver: HttpReceiver) -> None:
    options = {"url": EnvRef("SMS_URL"), "token": EnvRef("SMS_TOKEN"), "max_segments": 2}
    channel = SmsChannel("sms", options, {"SMS_URL": http_receiver.url("/send"), "SMS_TOKEN": "tok-123"})
    post_through(channel, message(drill=True), Recipient("ada", "+15551234567"))
    (request,) = http_receiver.requests
    assert request.headers["authorization"] == "Bearer tok-123"
    body = request.json()
    assert body["to"] == "+15551234567"
    assert body["text"] == f"[TEST] Elevated API errors; we are investigating. {message().link}"


# --- Apprise ------------------------------------------------------------------------------------------------


def test_apprise_to_a_real_json_target(http_receiver: HttpReceiver) -> None:
    channel = AppriseChannel(
        "chat", {"urls": EnvRef("APPRISE_URL")}, {"APPRISE_URL": f"json://127.0.0.1:{http_receiver.port}/notify"}
    )
    post_through(channel, message(), timeout=5)
    (request,) = http_receiver.requests
    assert request.path == "/notify"
    body = request.json()
    assert body["title"] == "Elevated API errors" and body["type"] == "failure"
    assert message().link in body["message"]


def test_apprise_names_the_failed_target_masked(http_receiver: HttpReceiver, closed_port: int) -> None:
    env = {
        "GOOD": f"json://127.0.0.1:{http_receiver.port}/ok",
        "DOWN": f"json://user:s3cr3tpass@127.0.0.1:{closed_port}/down-token-XYZ",
    }
    channel = AppriseChannel("chat", {"urls": [EnvRef("GOOD"), EnvRef("DOWN")]}, env)
    error = failure(channel)
    assert isinstance(error, TargetsFailed)
    assert error.outcomes == {"$GOOD": "delivered", "$DOWN": "failed"}
    assert "1 of 2 targets" in str(error) and "$DOWN failed" in str(error)
    assert "s3cr3tpass" not in str(error) and "down-token" not in str(error)
    assert not error.permanent and not error.outcome_unknown
    assert len(http_receiver.requests) == 1


def test_apprise_timeout_is_an_unknown_outcome(http_receiver: HttpReceiver) -> None:
    http_receiver.respond_with(200, delay=2)
    channel = AppriseChannel("chat", {"urls": EnvRef("U")}, {"U": f"json://127.0.0.1:{http_receiver.port}/slow"})
    error = failure(channel, timeout=0.5)
    assert error.outcome_unknown


def test_apprise_unknown_url_is_permanent() -> None:
    error = failure(AppriseChannel("chat", {"urls": EnvRef("U")}, {"U": "nosuchservice://token-XYZ"}))
    assert error.permanent and "token-XYZ" not in str(error)


def test_apprise_payload_masks_urls() -> None:
    # Apprise URLs often carry their token where a host would be (tgram://TOKEN/chat): show only the scheme.
    channel = AppriseChannel("chat", {"urls": [EnvRef("A"), "tgram://123:bot-token/456"]}, {"A": "json://x/secret"})
    body = json.loads(channel.payload(message(drill=True), EVERYONE).body)
    assert body["urls"] == ["$A", "tgram://***"]
    assert body["title"].startswith("[TEST] ") and "This is a drill" in body["body"]
    assert channel.describe() == "apprise:chat ($A, tgram://***)"
    twins = AppriseChannel("chat", {"urls": ["tgram://1/2", "tgram://3/4"]})
    assert twins.targets() == ["tgram://*** #1", "tgram://*** #2"]


# --- failure classification, shared by every HTTP channel ----------------------------------------------------


def http_channels(port: int) -> list[Channel]:
    url = f"http://127.0.0.1:{port}{SECRET_PATH}"
    env = {"URL": url, "WH": WHSEC, "KEY": "R0123456789abcdef", "TOKEN": "tok-XYZ-secret"}
    return [
        SlackChannel("c", {"url": EnvRef("URL")}, env),
        TeamsChannel("c", {"url": EnvRef("URL")}, env),
        WebhookChannel("c", {"url": url, "secret": EnvRef("WH")}, env),
        PagerDutyChannel("c", {"routing_key": EnvRef("KEY"), "url": url}, env),
        SmsChannel("c", {"url": EnvRef("URL"), "token": EnvRef("TOKEN")}, env),
    ]


PHONE = Recipient("ada", "+15551234567")
CHANNEL_IDS = ["slack", "teams", "webhook", "pagerduty", "sms"]


@pytest.mark.parametrize("index", range(5), ids=CHANNEL_IDS)
def test_server_error_is_transient(http_receiver: HttpReceiver, index: int) -> None:
    # The answer quotes the request path: the secret must still not reach the reason.
    http_receiver.respond_with(500, body=f"internal error handling {SECRET_PATH}")
    error = failure(http_channels(http_receiver.port)[index], recipient=PHONE)
    assert (error.permanent, error.outcome_unknown) == (False, False)
    assert "HTTP 500" in str(error) and "s3cr3t" not in str(error)


@pytest.mark.parametrize("index", range(5), ids=CHANNEL_IDS)
def test_rate_limit_is_transient(http_receiver: HttpReceiver, index: int) -> None:
    http_receiver.respond_with(429, headers={"Retry-After": "30"})
    error = failure(http_channels(http_receiver.port)[index], recipient=PHONE)
    assert not error.permanent and "retry after 30s" in str(error)


@pytest.mark.parametrize("index", range(5), ids=CHANNEL_IDS)
def test_client_error_is_permanent(http_receiver: HttpReceiver, index: int) -> None:
    http_receiver.respond_with(400, body="invalid_payload")
    error = failure(http_channels(http_receiver.port)[index], recipient=PHONE)
    assert error.permanent and not error.outcome_unknown and "invalid_payload" in str(error)


@pytest.mark.parametrize("index", range(5), ids=CHANNEL_IDS)
def test_no_answer_within_the_timeout_is_an_unknown_outcome(http_receiver: HttpReceiver, index: int) -> None:
    http_receiver.respond_with(200, delay=1.5)
    error = failure(http_channels(http_receiver.port)[index], recipient=PHONE, timeout=0.3)
    assert error.outcome_unknown and not error.permanent
    assert len(http_receiver.requests) == 1  # delivered once; the channel does not retry
    assert "s3cr3t" not in str(error)


@pytest.mark.parametrize("index", range(5), ids=CHANNEL_IDS)
def test_refused_connection_is_not_delivered(closed_port: int, index: int) -> None:
    error = failure(http_channels(closed_port)[index], recipient=PHONE)
    assert (error.permanent, error.outcome_unknown) == (False, False)
    assert "connection refused" in str(error) and "s3cr3t" not in str(error)


def test_redirect_is_not_followed(http_receiver: HttpReceiver) -> None:
    http_receiver.respond_with(301, headers={"Location": http_receiver.url("/elsewhere")})
    error = failure(http_channels(http_receiver.port)[0])
    assert error.permanent and len(http_receiver.requests) == 1


# --- secrets ------------------------------------------------------------------------------------------------

SECRET_VALUE = "s3cr3t-VALUE-1234567890"


def every_channel(env: dict[str, str]) -> list[Channel]:
    ref = EnvRef("SECRET")
    return [
        SlackChannel("c", {"url": ref}, env),
        TeamsChannel("c", {"url": ref}, env),
        WebhookChannel("c", {"url": "http://127.0.0.1:9/h", "secret": ref}, env),
        PagerDutyChannel("c", {"routing_key": ref}, env),
        EmailChannel("c", {"host": "127.0.0.1", "from": "a@example.com", "username": "u", "password": ref}, env),
        SmsChannel("c", {"url": ref, "token": ref}, env),
        AppriseChannel("c", {"urls": [ref]}, env),
    ]


@pytest.mark.parametrize("index", range(7))
def test_describe_and_payload_never_show_a_secret(index: int) -> None:
    channel = every_channel({"SECRET": SECRET_VALUE})[index]
    assert SECRET_VALUE not in channel.describe()
    assert SECRET_VALUE.encode() not in channel.payload(message(), SUBSCRIBER).body


@pytest.mark.parametrize(
    "channel",
    [
        SlackChannel("c", {"url": "https://hooks.slack.com/services/T0/B0/literalTOKEN123"}),
        PagerDutyChannel("c", {"routing_key": "literalROUTINGkey123"}),
        SmsChannel("c", {"url": "https://sms.example.com/send/literalTOKEN123"}),
        AppriseChannel("c", {"urls": ["tgram://literalTOKEN123/chat"]}),
    ],
)
def test_describe_masks_even_a_literal_secret(channel: Channel) -> None:
    assert "literal" not in channel.describe() and "TOKEN123" not in channel.describe()


@pytest.mark.parametrize("index", range(7))
def test_missing_variable_is_a_clear_error(index: int) -> None:
    # MissingSecret, not SendFailed: the runner takes the whole channel down for the run.
    channel = every_channel({})[index]
    with pytest.raises(MissingSecret, match=r"environment variable SECRET is not set \(needed for option \w+\)"):
        channel.send(channel.payload(message(), SUBSCRIBER), message(), SUBSCRIBER, 1)
