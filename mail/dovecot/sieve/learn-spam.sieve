# imapsieve: a message copied, moved or appended into Junk is spam for Rspamd's Bayes.
require ["vnd.dovecot.pipe", "copy", "imapsieve"];

pipe :copy "learn-spam.sh";
