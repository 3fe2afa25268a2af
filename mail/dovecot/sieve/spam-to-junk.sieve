# Global before-script (sieve_before): Rspamd's add_header action marks spam with
# "X-Spam: Yes"; such mail goes to Junk and no other script runs.
require ["fileinto", "mailbox"];

if header :is "X-Spam" "Yes" {
  fileinto :create "Junk";
  stop;
}
