#!/bin/sh
# BillionMail Dovecot container: renders /usr/local/share/billionmail/dovecot (mail/dovecot/)
# into /etc/dovecot, compiles the global Sieve scripts, then runs Dovecot in the foreground
# (logging to stderr). Deployment values come from compose.yaml; the image's own layout is
# defaulted here.
set -eu
. /usr/local/lib/billionmail/lib.sh

: "${BM_DOVECOT_DIR:=/etc/dovecot}"
: "${BM_DOVECOT_RUN_DIR:=/run/dovecot}"
: "${BM_DOVECOT_STATE_DIR:=/var/lib/dovecot}"
: "${BM_DOVECOT_INSTANCE:=dovecot}"
: "${BM_DOVECOT_LOG_FILE:=/dev/stderr}"
: "${BM_DOVECOT_LISTEN:=*}"
: "${BM_MAIL_DIR:=/var/vmail}"
: "${BM_DOVECOT_IMAP_PORT:=143}"
: "${BM_DOVECOT_IMAPS_PORT:=993}"
: "${BM_DOVECOT_POP3_PORT:=110}"
: "${BM_DOVECOT_POP3S_PORT:=995}"
: "${BM_DOVECOT_MANAGESIEVE_PORT:=4190}"

render() {
    bm_render /usr/local/share/billionmail/dovecot "$BM_DOVECOT_DIR"
    # SQL settings hold the database password; the learn scripts (run by imapsieve as vmail)
    # hold the Rspamd controller password.
    chown root:dovecot "$BM_DOVECOT_DIR"/*.conf.ext
    chmod 0640 "$BM_DOVECOT_DIR"/*.conf.ext
    chown root:vmail "$BM_DOVECOT_DIR"/sieve/*.sh
    chmod 0750 "$BM_DOVECOT_DIR"/sieve/*.sh
    for script in "$BM_DOVECOT_DIR"/sieve/*.sieve; do
        sievec -c "$BM_DOVECOT_DIR/dovecot.conf" "$script"
    done
}

bm_tls_init
render
mkdir -p "$BM_MAIL_DIR" "$BM_DOVECOT_STATE_DIR"
chown vmail:vmail "$BM_MAIL_DIR"
chmod 0770 "$BM_MAIL_DIR"
doveconf -c "$BM_DOVECOT_DIR/dovecot.conf" -n > /dev/null

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

reload() {
    render && doveadm -c "$BM_DOVECOT_DIR/dovecot.conf" reload
}
bm_tls_watch reload &
exec dovecot -c "$BM_DOVECOT_DIR/dovecot.conf" -F
