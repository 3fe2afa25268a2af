#!/bin/sh
# BillionMail Postfix container: renders /usr/local/share/billionmail/postfix (mail/postfix/)
# into /etc/postfix, then runs Postfix in the foreground (logging to stdout). Deployment
# values come from compose.yaml; the image's own layout is defaulted here.
set -eu
. /usr/local/lib/billionmail/lib.sh

: "${BM_POSTFIX_QUEUE_DIR:=/var/spool/postfix}"
: "${BM_POSTFIX_DATA_DIR:=/var/lib/postfix}"
: "${BM_POSTFIX_LOG_FILE:=/dev/stdout}"
: "${BM_POSTFIX_INET_INTERFACES:=all}"
: "${BM_POSTFIX_SMTP_PORT:=25}"
: "${BM_POSTFIX_SUBMISSION_PORT:=587}"
: "${BM_POSTFIX_SMTPS_PORT:=465}"
: "${BM_RELAYHOST:=}"
# bounces and complaints come back to this domain (the app's BM_BOUNCE_DOMAIN, same default)
: "${BM_BOUNCE_DOMAIN:=$BM_HOSTNAME}"

render() {
    bm_render /usr/local/share/billionmail/postfix /etc/postfix
    # the lookup tables hold the database password: root and the postfix daemons only
    chown -R root:postfix /etc/postfix/pgsql
    chmod 0750 /etc/postfix/pgsql
    chmod 0640 /etc/postfix/pgsql/*.cf
}

bm_tls_init
render
mkdir -p "$BM_POSTFIX_QUEUE_DIR" "$BM_POSTFIX_DATA_DIR"
chown postfix:postfix "$BM_POSTFIX_DATA_DIR"
# creates and fixes the queue directories (the queue is a volume)
postfix check

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

reload() {
    render && postfix reload
}
bm_tls_watch reload &
exec postfix start-fg
