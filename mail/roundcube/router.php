<?php
// Router for PHP's built-in web server, which serves RoundCube without Apache in the tests:
//
//   BM_ROUNDCUBE_CONFIG_DIR=/tmp/x/config php -S 127.0.0.1:PORT -t /usr/share/roundcube router.php
//
// -t is the RoundCube installation (Debian's /usr/share/roundcube, or an upstream tarball).
// The config directory (rendered config.inc.php, billionmail.inc.php, defaults.inc.php) comes
// from BM_ROUNDCUBE_CONFIG_DIR: this script defines RCMAIL_CONFIG_DIR before RoundCube's
// iniset.php would derive it from INSTALL_PATH . 'config' (or Debian's ROUNDCUBE_CONFIG_DIR).
//
// Like RoundCube's .htaccess it serves static assets of skins/, plugins/ and program/{js,resources}/
// only, never PHP or configuration files; every other path except / and /index.php is a 404.

$install = rtrim($_SERVER['DOCUMENT_ROOT'], '/') . '/';
$path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));

if ($path === '/favicon.ico') {
    $path = '/skins/elastic/images/favicon.ico';
}

$static = '!^/(skins|plugins|program/js|program/resources)/[A-Za-z0-9._/+@-]+'
    . '\.(css|js|map|png|gif|jpe?g|svg|ico|webp|tiff|pdf|woff2?|ttf|eot|otf|html|txt|json|mp3|wav)$!';
if (preg_match($static, $path) && strpos($path, '..') === false) {
    if (!is_file($install . ltrim($path, '/'))) {
        http_response_code(404);
        return true;
    }
    if (str_ends_with($path, '.ico')) {
        // the built-in server does not know this type
        header('Content-Type: image/vnd.microsoft.icon');
        readfile($install . ltrim($path, '/'));
        return true;
    }
    return false; // the built-in server sends the file with its MIME type
}

if ($path !== '/' && $path !== '/index.php') {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "Not found\n";
    return true;
}

$config_dir = getenv('BM_ROUNDCUBE_CONFIG_DIR');
if (!$config_dir || !is_file($config_dir . '/config.inc.php')) {
    http_response_code(500);
    header('Content-Type: text/plain');
    echo "BM_ROUNDCUBE_CONFIG_DIR does not point at a directory with config.inc.php\n";
    return true;
}

define('INSTALL_PATH', $install);
define('RCMAIL_CONFIG_DIR', rtrim($config_dir, '/'));

// RoundCube names its own URLs after the running script ("router.php?_task=..."), so it has to
// look like index.php.
$_SERVER['SCRIPT_FILENAME'] = $install . 'index.php';
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';

chdir($install);
require $install . 'index.php';
