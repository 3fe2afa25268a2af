<?php
// BillionMail Webmail: settings shared by every RoundCube we run. No placeholders: this file is
// copied verbatim next to the rendered config.inc.php (tests, Debian hosts), and mounted into
// /var/roundcube/config/ of the roundcube/roundcubemail image in compose.yaml, whose generated
// config includes it last. It is included from inside a config file, so it reads and amends the
// $config being built there.

$config['product_name'] = 'BillionMail Webmail';
$config['skin'] = 'elastic';
$config['support_url'] = '';
$config['enable_installer'] = false;
$config['login_autocomplete'] = 1;
$config['session_samesite'] = 'Lax';

// Plugins: archive, zipdownload and managesieve when this installation ships them (Debian's
// roundcube-core does not; roundcube-plugins and the upstream image do), plus any configured
// elsewhere (ROUNDCUBEMAIL_PLUGINS in the image).
$bm_plugin_dir = defined('RCUBE_PLUGINS_DIR') ? RCUBE_PLUGINS_DIR : (defined('INSTALL_PATH') ? INSTALL_PATH . 'plugins/' : '');
$bm_plugins = isset($config['plugins']) && is_array($config['plugins']) ? $config['plugins'] : [];
foreach (['archive', 'zipdownload', 'managesieve'] as $bm_plugin) {
    if ($bm_plugin_dir && is_file($bm_plugin_dir . $bm_plugin . '/' . $bm_plugin . '.php')) {
        $bm_plugins[] = $bm_plugin;
    }
}
$config['plugins'] = array_values(array_unique(array_filter($bm_plugins)));
$config['zipdownload_selection'] = true;

// ManageSieve (Dovecot Pigeonhole, port 4190) on the IMAP host, STARTTLS unless IMAP is plain.
// Note: a plugins/managesieve/config.inc.php of the installation (Debian's roundcube-plugins
// ships one) is loaded after this file and wins.
if (empty($config['managesieve_host']) && !empty($config['imap_host']) && is_string($config['imap_host'])) {
    $bm_imap = $config['imap_host'];
    $bm_tls = preg_match('!^(ssl|tls)://!i', $bm_imap) ? 'tls://' : '';
    $bm_host = preg_replace('!^[a-z]+://!i', '', $bm_imap);
    $bm_host = preg_replace('!:\d+$!', '', $bm_host);
    $config['managesieve_host'] = $bm_tls . $bm_host;
    $config['managesieve_port'] = 4190;
}

// Trusted reverse proxies (X-Forwarded-Proto / X-Forwarded-For are only honoured from these):
// the list from the config, else BM_ROUNDCUBE_TRUSTED_PROXIES from the environment (the
// container); host names are resolved here, since RoundCube compares REMOTE_ADDR literally.
$bm_proxies = isset($config['proxy_whitelist']) ? (array) $config['proxy_whitelist'] : [];
if (!$bm_proxies && ($bm_env = getenv('BM_ROUNDCUBE_TRUSTED_PROXIES'))) {
    $bm_proxies = array_map('trim', explode(',', $bm_env));
}
$bm_ips = [];
foreach (array_filter($bm_proxies) as $bm_proxy) {
    if (filter_var($bm_proxy, FILTER_VALIDATE_IP)) {
        $bm_ips[] = $bm_proxy;
    }
    elseif ($bm_resolved = @gethostbynamel($bm_proxy)) {
        $bm_ips = array_merge($bm_ips, $bm_resolved);
    }
}
$config['proxy_whitelist'] = array_values(array_unique($bm_ips));

// Certificate checks, for the container (the template sets the *_conn_options itself).
if (!isset($config['imap_conn_options']) && ($bm_env = getenv('BM_ROUNDCUBE_TLS_VERIFY')) !== false) {
    $bm_verify = filter_var($bm_env, FILTER_VALIDATE_BOOLEAN);
    $config['imap_conn_options'] = $config['smtp_conn_options'] = $config['managesieve_conn_options'] = [
        'ssl' => ['verify_peer' => $bm_verify, 'verify_peer_name' => $bm_verify, 'allow_self_signed' => !$bm_verify],
    ];
}

// The public path. BillionMail reverse-proxies https://HOST/roundcube/... to RoundCube with the
// prefix stripped, so RoundCube sees itself at "/" while the browser is under "/roundcube/".
// - request_path './' keeps every URL RoundCube builds relative (redirects "Location: ./?_task=mail",
//   the JS comm_path, form actions), so they resolve under whatever prefix the browser used;
//   RoundCube's default would derive "/" from REQUEST_URI and send the browser out of the prefix.
// - When the proxy says where it mounted us (X-Forwarded-Prefix: /roundcube), URLs and the
//   session cookie path use that prefix, so RoundCube's cookies stay under /roundcube/. The
//   header only shapes the URLs of the response to its own sender, so it needs no trust check;
//   it must look like a plain path.
$config['request_path'] = './';
$bm_prefix = isset($_SERVER['HTTP_X_FORWARDED_PREFIX']) ? trim($_SERVER['HTTP_X_FORWARDED_PREFIX']) : '';
if (preg_match('!^(/[A-Za-z0-9._~-]+)+/?$!', $bm_prefix) && strpos($bm_prefix, '/.') === false) {
    $bm_prefix = rtrim($bm_prefix, '/') . '/';
    $config['request_path'] = $bm_prefix;
    $config['session_path'] = $bm_prefix;
}

unset($bm_plugin_dir, $bm_plugins, $bm_plugin, $bm_imap, $bm_tls, $bm_host, $bm_proxies, $bm_env,
    $bm_ips, $bm_proxy, $bm_resolved, $bm_verify, $bm_prefix);
