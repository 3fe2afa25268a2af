# imapsieve: a message moved out of Junk is ham for Rspamd's Bayes — unless it goes to
# the Trash.
require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];

if environment :matches "imap.mailbox" "*" {
  set "mailbox" "${1}";
}
if string "${mailbox}" "Trash" {
  stop;
}
pipe :copy "learn-ham.sh";
