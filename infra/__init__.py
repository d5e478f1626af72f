"""The AWS CDK app that deploys connect-chat: one construct per module, composed by ``infra.stack``."""
