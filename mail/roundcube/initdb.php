<?php
// Creates RoundCube's database schema when it is not there yet (php-cli):
//
//   php mail/roundcube/initdb.php CONFIG_DIR [INSTALL_PATH]
//
// CONFIG_DIR holds the rendered config.inc.php (db_dsnw); INSTALL_PATH defaults to Debian's
// /usr/share/roundcube. Works for every database RoundCube supports: it runs
// SQL/<provider>.initial.sql through RoundCube's own rcmail_utils::db_init(), as the upstream
// bin/initdb.sh does (Debian's package leaves that script out). Idempotent.
// (An SQLite file that is missing or empty is also initialised by RoundCube on first connect.)

if (PHP_SAPI !== 'cli' || empty($argv[1])) {
    fwrite(STDERR, "usage: php initdb.php CONFIG_DIR [INSTALL_PATH]\n");
    exit(2);
}

define('INSTALL_PATH', rtrim($argv[2] ?? '/usr/share/roundcube', '/') . '/');
define('RCMAIL_CONFIG_DIR', rtrim($argv[1], '/'));

require_once INSTALL_PATH . 'program/include/clisetup.php';

$db = rcmail_utils::db();
$prefix = (string) $rcmail->config->get('db_prefix');
if (in_array($prefix . 'users', $db->list_tables(), true)) {
    echo "RoundCube schema present ({$db->db_provider})\n";
    exit(0);
}

rcmail_utils::db_init(INSTALL_PATH . 'SQL');
