<?php
// BillionMail Webmail: RoundCube 1.6 configuration TEMPLATE.
//
// Rendered by plain ${...} substitution of the names below: end2end/mailstack/roundcube.mjs
// does it for the tests, envsubst with an explicit variable list does it on a server. The
// rendered file goes into a config directory next to billionmail.inc.php (copied verbatim) and
// defaults.inc.php (from the RoundCube installation); see mail/roundcube/README.md.
//
// Every value lands inside a single-quoted PHP string, so values must not contain ' or \.
//
//   BM_IMAP_HOST, BM_IMAP_PORT      IMAP server (Dovecot)
//   BM_IMAP_TLS                     none | starttls | ssl (ssl = implicit TLS, e.g. port 993)
//   BM_SMTP_HOST, BM_SMTP_PORT      submission server (Postfix, 587 or 465); the user's own
//   BM_SMTP_TLS                     none | starttls | ssl   IMAP login is reused for SMTP AUTH
//   BM_ROUNDCUBE_TLS_VERIFY         true | false: verify the IMAP/SMTP/Sieve server certificates
//   BM_ROUNDCUBE_DES_KEY            24 random characters (session secrets are encrypted with it)
//   BM_ROUNDCUBE_DB                 DSN, e.g. sqlite:////var/lib/roundcube/roundcube.db?mode=0640
//                                   or pgsql://user:pass@host:5432/roundcube
//   BM_ROUNDCUBE_TEMP_DIR           writable directory for uploads and temporary files
//   BM_ROUNDCUBE_LOG_DIR            writable directory for errors.log etc.
//   BM_ROUNDCUBE_TRUSTED_PROXIES    comma-separated IPs or host names of the reverse proxy (the
//                                   BillionMail server), trusted for X-Forwarded-Proto/-For

$config = [];

$bm_scheme = static function ($mode) {
    $map = ['' => '', 'none' => '', 'plain' => '', 'starttls' => 'tls://', 'tls' => 'tls://', 'ssl' => 'ssl://'];
    // An unknown mode gives an unusable host rather than a silent fall back to plaintext.
    return $map[strtolower(trim($mode))] ?? 'invalid-tls-mode://';
};

// IMAP: one fixed server, no host field on the login form.
$config['imap_host'] = $bm_scheme('${BM_IMAP_TLS}') . '${BM_IMAP_HOST}:${BM_IMAP_PORT}';

// SMTP submission with the user's own IMAP credentials.
$config['smtp_host'] = $bm_scheme('${BM_SMTP_TLS}') . '${BM_SMTP_HOST}:${BM_SMTP_PORT}';
$config['smtp_user'] = '%u';
$config['smtp_pass'] = '%p';

// Certificate checks for the connections above (and ManageSieve).
$bm_verify = filter_var('${BM_ROUNDCUBE_TLS_VERIFY}', FILTER_VALIDATE_BOOLEAN);
$config['imap_conn_options'] = $config['smtp_conn_options'] = $config['managesieve_conn_options'] = [
    'ssl' => [
        'verify_peer'       => $bm_verify,
        'verify_peer_name'  => $bm_verify,
        'allow_self_signed' => !$bm_verify,
    ],
];

$config['des_key'] = '${BM_ROUNDCUBE_DES_KEY}';
$config['db_dsnw'] = '${BM_ROUNDCUBE_DB}';

$config['temp_dir'] = '${BM_ROUNDCUBE_TEMP_DIR}';
$config['log_dir'] = '${BM_ROUNDCUBE_LOG_DIR}';
$config['log_driver'] = 'file';

$config['proxy_whitelist'] = array_values(array_filter(array_map('trim', explode(',', '${BM_ROUNDCUBE_TRUSTED_PROXIES}'))));

// Product name, skin, plugins, and the /roundcube/ reverse-proxy prefix handling, shared with
// the roundcube container of compose.yaml.
include __DIR__ . '/billionmail.inc.php';
