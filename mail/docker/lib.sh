# Shared by the entrypoints of the postfix, dovecot and rspamd images (POSIX sh, sourced).
#
# bm_render SRC DEST   renders every file of the template tree SRC into DEST with envsubst,
#                      limited to the ${BM_*} names the templates use (so Postfix's $name,
#                      Rspamd's $domain, shell ${x} ... stay as they are). Fails, naming them,
#                      when any of those variables is unset (an empty value is fine).
# bm_tls_init          picks the certificate: $BM_TLS_CERT/$BM_TLS_KEY when the app has written
#                      them to the shared volume, else a self-signed one for $BM_HOSTNAME made
#                      here (so the daemons start before the first certificate is issued).
# bm_tls_watch CMD...  runs forever: when the files at $BM_TLS_CERT/$BM_TLS_KEY change, picks
#                      again and runs CMD (re-render + reload). Checks every
#                      $BM_TLS_WATCH_SECONDS (default 60).

bm_log() {
    printf 'billionmail: %s\n' "$*" >&2
}

bm_template_names() {
    grep -rhoE '\$\{BM_[A-Z0-9_]+\}' "$1" | sed -e 's/^\${//' -e 's/}$//' | sort -u
}

bm_render() {
    _src=$1
    _dest=$2
    _names=$(bm_template_names "$_src")
    _missing=
    _list=
    for _n in $_names; do
        if eval "[ -n \"\${$_n+set}\" ]"; then
            export "$_n"
            _list="$_list \${$_n}"
        else
            _missing="$_missing $_n"
        fi
    done
    if [ -n "$_missing" ]; then
        bm_log "unset template variables:$_missing"
        return 1
    fi
    (cd "$_src" && find . -type f ! -name '*.md') | while IFS= read -r _f; do
        _out="$_dest/${_f#./}"
        mkdir -p "$(dirname "$_out")"
        envsubst "$_list" < "$_src/$_f" > "$_out.bm-new" || exit 1
        if [ -x "$_src/$_f" ]; then chmod 0755 "$_out.bm-new"; else chmod 0644 "$_out.bm-new"; fi
        mv -f "$_out.bm-new" "$_out"
    done
}

bm_tls_init() {
    BM_TLS_CERT_SOURCE=${BM_TLS_CERT_SOURCE:-$BM_TLS_CERT}
    BM_TLS_KEY_SOURCE=${BM_TLS_KEY_SOURCE:-$BM_TLS_KEY}
    if [ -s "$BM_TLS_CERT_SOURCE" ] && [ -s "$BM_TLS_KEY_SOURCE" ]; then
        BM_TLS_CERT=$BM_TLS_CERT_SOURCE
        BM_TLS_KEY=$BM_TLS_KEY_SOURCE
    else
        _dir=/run/billionmail-tls
        if [ ! -s "$_dir/cert.pem" ] || [ ! -s "$_dir/key.pem" ]; then
            mkdir -p "$_dir"
            chmod 0700 "$_dir"
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$BM_HOSTNAME" \
                -addext "subjectAltName=DNS:$BM_HOSTNAME" \
                -keyout "$_dir/key.pem" -out "$_dir/cert.pem" 2>/dev/null
            chmod 0600 "$_dir/key.pem"
        fi
        bm_log "no certificate at $BM_TLS_CERT_SOURCE yet: self-signed for $BM_HOSTNAME until it appears"
        BM_TLS_CERT=$_dir/cert.pem
        BM_TLS_KEY=$_dir/key.pem
    fi
    export BM_TLS_CERT BM_TLS_KEY BM_TLS_CERT_SOURCE BM_TLS_KEY_SOURCE
}

bm_tls_state() {
    cat "$BM_TLS_CERT_SOURCE" "$BM_TLS_KEY_SOURCE" 2>/dev/null | cksum
}

bm_tls_watch() {
    _last=$(bm_tls_state)
    while sleep "${BM_TLS_WATCH_SECONDS:-60}"; do
        _now=$(bm_tls_state)
        [ "$_now" = "$_last" ] && continue
        _last=$_now
        bm_log "certificate changed: reloading"
        bm_tls_init
        "$@" || bm_log "reload after the certificate change failed"
    done
}
