from campaigns.channels import email


def test_email_preview_blocks_remote_images_until_allowed():
    body = {"content": {"subject": "S", "body": '<img src="https://t.example/p.gif">'}}
    blocked = email.preview(body)["srcdoc"]
    assert blocked.index(email.CSP_BLOCKED) < blocked.index("<img")
    assert email.CSP_REMOTE in email.preview(body, remote_images=True)["srcdoc"]
