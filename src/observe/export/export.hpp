// Front door of observe/export/: what leaves the center about scanners. One day's scans from one country
// become an IODEF 2 (RFC 7970) document (BuildIodefReport, RenderIodef; sensor addresses never included);
// the daily export writes one file per configured country (ExportIodefDay), and the partner CSIRTs
// (PartnerRegistry: name, address, countries, OpenPGP key, every change audited) get theirs as one signed
// and encrypted mail a day, queued exactly once per partner and day (QueuePartnerIodef). The daily job
// (IodefDailyJob) runs both from the scheduler at 00:15 UTC on an injected clock.
#pragma once

#include "observe/export/iodef.hpp"
#include "observe/export/iodef_daily.hpp"
#include "observe/export/iodef_export.hpp"
#include "observe/export/partners.hpp"
