# A governed sandbox with plain Terraform/OpenTofu: one gateway, an RBAC group with a per-gateway
# role, a quorum approval workflow, a change freeze (policy pin) and a boot hook.
#
# Offline setup (once): `npx shoreguard-iac terraform install --config-file ./shoreguard.tfrc`,
# then `export TF_CLI_CONFIG_FILE=$PWD/shoreguard.tfrc`. See provider/terraform/README.md.
# The provider reads SHOREGUARD_URL and SHOREGUARD_TOKEN (a service-principal key) from the
# environment, so no secret is written here.

terraform {
  required_version = ">= 1.6"
  required_providers {
    shoreguard = {
      # Fully qualified, so Terraform and OpenTofu resolve the same address.
      source  = "registry.terraform.io/shoreguard/shoreguard"
      version = ">= 0.1.0"
    }
  }
}

provider "shoreguard" {
  # endpoint = "https://shoreguard.example.com"   # default: SHOREGUARD_URL
  # api_key  = var.shoreguard_api_key             # default: SHOREGUARD_TOKEN
  request_timeout_seconds = 30
  max_retries             = 4
}

variable "gateway_name" {
  description = "Name of the OpenShell gateway to register."
  type        = string
  default     = "edge"
}

variable "gateway_endpoint" {
  description = "host:port of the OpenShell gateway."
  type        = string
  default     = "127.0.0.1:8443"
}

variable "sandbox_name" {
  description = "The sandbox to govern. It lives on the gateway (ShoreGuard does not create it) and needs a policy before it can be pinned."
  type        = string
  default     = "agent-1"
}

variable "member_email" {
  description = "An existing ShoreGuard user to put into the SRE group."
  type        = string
  default     = "admin@localhost"
}

variable "freeze_until" {
  description = "End of the change freeze (ISO-8601, in the future). A fixed value keeps plans stable."
  type        = string
  default     = "2099-01-01T00:00:00Z"
}

resource "shoreguard_gateway" "edge" {
  name        = var.gateway_name
  endpoint    = var.gateway_endpoint
  scheme      = "https"
  auth_mode   = "mtls"
  description = "Edge gateway, managed by Terraform"
  metadata    = { runtime = "docker" }
  labels = {
    team = "platform"
    env  = "dev"
  }
}

resource "shoreguard_group" "sre" {
  name        = "sre"
  role        = "viewer"
  description = "Site reliability engineers"
}

# SREs administer this gateway only.
resource "shoreguard_group_gateway_role" "sre_on_edge" {
  group_id = shoreguard_group.sre.id
  gateway  = shoreguard_gateway.edge.name
  role     = "admin"
}

data "shoreguard_user" "member" {
  email = var.member_email
}

resource "shoreguard_group_membership" "member_in_sre" {
  group_id = shoreguard_group.sre.id
  user_id  = data.shoreguard_user.member.id
}

# Policy changes to the sandbox need two approvals from operators or admins.
resource "shoreguard_approval_workflow" "agent" {
  gateway                    = shoreguard_gateway.edge.name
  sandbox_name               = var.sandbox_name
  required_approvals         = 2
  required_roles             = ["operator", "admin"]
  distinct_actors            = true
  escalation_timeout_minutes = 60
}

# Change freeze: ShoreGuard answers 423 to any policy change until the pin lapses.
resource "shoreguard_policy_pin" "freeze" {
  gateway      = shoreguard_gateway.edge.name
  sandbox_name = var.sandbox_name
  reason       = "Release freeze: no policy changes until the release is out"
  expires_at   = var.freeze_until
}

resource "shoreguard_sandbox_boot_hook" "warm_cache" {
  gateway         = shoreguard_gateway.edge.name
  sandbox_name    = var.sandbox_name
  name            = "warm-cache"
  phase           = "post_create"
  command         = "pip download -d /cache -r /work/requirements.txt"
  workdir         = "/work"
  env             = { PIP_NO_INPUT = "1" }
  timeout_seconds = 120
}

output "gateway_status" {
  value = shoreguard_gateway.edge.status
}

output "workflow_id" {
  value = shoreguard_approval_workflow.agent.id
}

output "pin_id" {
  value = shoreguard_policy_pin.freeze.id
}
