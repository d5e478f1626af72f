"""Code shared by the Lambda handlers: settings, the session store, the gateway client, hooks."""
