// Front door of mail/: the mail gateway (V17, I1).
//   openpgp.hpp  key inspection for vendor registration
//   mime.hpp     MIME parsing (GMime)          pgp.hpp      the center's keyring (GPGME)
//   inbound.hpp  store, decrypt, route, quarantine         listener.hpp LMTP/SMTP on loopback
//   import.hpp   Maildir/mbox import           outbound.hpp the encrypted sender draining mail_queue
//   attribution.hpp who sent it: the signature decides, never From:
//   queue.hpp    queueing mail with attachments from other modules; partner recipient keys
#pragma once

#include "mail/attribution.hpp"
#include "mail/import.hpp"
#include "mail/inbound.hpp"
#include "mail/listener.hpp"
#include "mail/mime.hpp"
#include "mail/openpgp.hpp"
#include "mail/outbound.hpp"
#include "mail/pgp.hpp"
#include "mail/queue.hpp"
#include "mail/schema.hpp"
