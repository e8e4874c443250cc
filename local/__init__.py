"""The embedded local stack: moto, an API Gateway stand-in and queue pumps around the real handlers."""
