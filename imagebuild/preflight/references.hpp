// The Microsoft documents the pre-flight checks cite for their fixes
// (reference/windows-rds-licensing.md, section 8, and the Azure Virtual Desktop troubleshooting
// guide). Only published pages: a remedy an admin cannot look up is a guess.
#pragma once

#include "imagebuild/preflight/check_result.hpp"

namespace rdwarm::imagebuild::references {

// The first-connection problem itself; Microsoft suggests simulating the first connection or
// rebuilding the image within the grace period.
inline constexpr Reference kPerUserFirstConnection{
    "Remote Desktop Services per-user licensing (first connection fails)",
    "https://learn.microsoft.com/troubleshoot/windows-server/remote/"
    "remote-desktop-services-per-user-licensing"};

// Licensing mode and license servers: registry values, policy precedence, grace period.
inline constexpr Reference kLicensingGuidance{
    "Troubleshooting guidance for RDS licensing",
    "https://learn.microsoft.com/troubleshoot/windows-server/remote/"
    "troubleshoot-rds-licensing-guidance"};

// The certificate refresh: delete the X509 values under RCM and restart.
inline constexpr Reference kNoLicenseServerAvailable{
    "No Remote Desktop License Servers available (certificate refresh)",
    "https://learn.microsoft.com/troubleshoot/windows-server/remote/"
    "cannot-connect-rds-no-license-server"};

// Windows 10/11 Enterprise multi-session: disable the licensing mode policy.
inline constexpr Reference kAvdLicensingModePolicy{
    "Azure Virtual Desktop: Remote Desktop licensing mode isn't configured",
    "https://learn.microsoft.com/azure/virtual-desktop/troubleshoot-vm-configuration"
    "#remote-desktop-licensing-mode-isnt-configured"};

// The side-by-side stack's registry values (fEnableWinStation, SessionDirectoryListener).
inline constexpr Reference kAvdSxsStack{
    "Azure Virtual Desktop: troubleshoot the side-by-side stack",
    "https://learn.microsoft.com/azure/virtual-desktop/troubleshoot-vm-configuration"
    "#troubleshoot-issues-with-the-azure-virtual-desktop-side-by-side-stack"};

// Remote Desktop Licensing: TCP 135, 445 and dynamic RPC ports.
inline constexpr Reference kLicensingPorts{
    "Service overview and network port requirements (Remote Desktop Licensing)",
    "https://learn.microsoft.com/troubleshoot/windows-server/networking/"
    "service-overview-and-network-port-requirements"};

// "Use the specified Remote Desktop license servers" (TS_LICENSE_SERVERS).
inline constexpr Reference kLicenseServersPolicy{
    "Policy CSP ADMX_TerminalServer: TS_LICENSE_SERVERS",
    "https://learn.microsoft.com/windows/client-management/mdm/policy-csp-admx-terminalserver"};

}  // namespace rdwarm::imagebuild::references
