"""Posts CI webhook deliveries the way the platforms do.

- github: the payload as the body, signed with the webhook's secret (X-Hub-Signature-256:
  HMAC-SHA256 of the raw body), with X-GitHub-Event and a fresh X-GitHub-Delivery.
- gitlab: the payload as the body, the secret token as X-Gitlab-Token, with X-Gitlab-Event
  (e.g. `Job Hook`) and a fresh X-Gitlab-Event-UUID.

Exits non-zero if any delivery is refused.

Usage: python post_webhooks.py github|gitlab URL SECRET EVENT=PAYLOAD.json [EVENT=PAYLOAD.json ...]
"""

import hashlib
import hmac
import sys
import urllib.error
import urllib.request
import uuid


def headers(platform, secret, event, body):
    if platform == "github":
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {
            "User-Agent": "GitHub-Hookshot/ciotel-test",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
        }
    if platform == "gitlab":
        return {
            "User-Agent": "GitLab/ciotel-test",
            "X-Gitlab-Event": event,
            "X-Gitlab-Event-UUID": str(uuid.uuid4()),
            "X-Gitlab-Token": secret,
        }
    sys.exit(f"unknown platform {platform!r}: github or gitlab")


def post(platform, url, secret, event, path):
    with open(path, "rb") as f:
        body = f.read()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers(platform, secret, event, body)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            print(f"{event} {path}: {response.status}")
    except urllib.error.HTTPError as e:
        sys.exit(f"{event} {path}: refused with {e.code}: {e.read().decode(errors='replace')}")


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    platform, url, secret = sys.argv[1:4]
    for delivery in sys.argv[4:]:
        event, _, path = delivery.partition("=")
        post(platform, url, secret, event, path)


if __name__ == "__main__":
    main()
