# shellcheck shell=bash
# Sourced by scripts/install-n8n.sh, test.sh and e2e.sh: the n8n versions the real-n8n e2e suite runs on.
#   oldest: the oldest n8n the package supports (README "Supported n8n versions": why it is the floor)
#   newest: the newest n8n that installs from the registry. 2.41.3, the current release, does not: of the 23 of
#           n8n's own packages it pins at new patch versions, 21 are missing there (e.g. @n8n/agents@0.26.2,
#           @n8n/ai-node-sdk@0.31.2, n8n-core@2.41.2), too many to override without testing a mix that is not 2.41.3.
# N8N_VERSIONS="2.41.1" (space-separated) runs only those; N8N_VERSION picks the one install-n8n.sh, the demo
# and the screenshots use (default: the oldest).
N8N_OLDEST=2.39.10
N8N_NEWEST=2.41.1
N8N_VERSIONS="${N8N_VERSIONS:-$N8N_OLDEST $N8N_NEWEST}"
