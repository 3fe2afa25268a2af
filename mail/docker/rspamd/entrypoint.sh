#!/bin/sh
# BillionMail Rspamd container: renders /usr/local/share/billionmail/rspamd (mail/rspamd/)
# into /etc/rspamd (local.d/, override.d/), then runs Rspamd in the foreground (logging to
# the console). Deployment values come from compose.yaml; the image's own layout is
# defaulted here. DKIM keys are read from the shared volume the app writes.
set -eu
. /usr/local/lib/billionmail/lib.sh

: "${BM_RSPAMD_HS_CACHE_DIR:=/var/lib/rspamd/hs_cache}"

bm_render /usr/local/share/billionmail/rspamd /etc/rspamd
# the controller password
chown root:_rspamd /etc/rspamd/override.d/worker-controller.inc
chmod 0640 /etc/rspamd/override.d/worker-controller.inc
mkdir -p "$BM_RSPAMD_HS_CACHE_DIR" /run/rspamd
chown -R _rspamd:_rspamd /var/lib/rspamd "$BM_RSPAMD_HS_CACHE_DIR" /run/rspamd
rspamadm configtest > /dev/null

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

exec rspamd -f -u _rspamd -g _rspamd
