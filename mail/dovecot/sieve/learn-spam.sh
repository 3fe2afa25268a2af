#!/bin/sh
# Called by imapsieve (vnd.dovecot.pipe) with the message on stdin.
exec rspamc --connect "${BM_RSPAMD_CONTROLLER}" --password "${BM_RSPAMD_PASSWORD}" --timeout 10 learn_spam
