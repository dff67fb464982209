//! Rendering a composed digest: HTML email, plain text, Slack Block Kit, digest.json.
