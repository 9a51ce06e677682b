; Inno Setup 6 script: the Windows installer for HeartLink Desktop.
; Not built on the Linux build machine; on Windows, from the repository root (docs/packaging.md):
;
;   pyinstaller --noconfirm build.spec                                    # PowerShell
;   $v = python -c "import heartlink_desktop as h; print(h.__version__)"
;   iscc /DAppVersion=$v packaging\windows\heartlink.iss
;
; Output: dist\HeartLink-Setup-<version>.exe. It installs dist\HeartLink\ under Program Files,
; adds a Start menu entry, and allows inbound TCP on the app's port on private networks only,
; so phones on the home Wi-Fi reach it and a public network (a cafe) does not.

#ifndef AppVersion
  #error Pass the version from heartlink_desktop.__version__: iscc /DAppVersion=X.Y.Z heartlink.iss
#endif
#ifndef Port
  #define Port "8765"
#endif
#define AppName "HeartLink"
#define AppExe "HeartLink.exe"
#define RuleName "HeartLink (phones on this network)"

[Setup]
AppId={{6C3E0B0E-7F4B-4C8E-9A57-3E1F0D2B8A41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=HeartLink
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=HeartLink-Setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\heartlink.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The firewall rule needs an administrator.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\HeartLink\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
; Replace any rule an older version left, then allow the app's port on private networks.
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#RuleName}"""; Flags: runhidden
Filename: "{sys}\netsh.exe"; \
  Parameters: "advfirewall firewall add rule name=""{#RuleName}"" dir=in action=allow protocol=TCP localport={#Port} profile=private program=""{app}\{#AppExe}"" enable=yes"; \
  Flags: runhidden; StatusMsg: "Letting phones on private networks reach HeartLink..."
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\netsh.exe"; Parameters: "advfirewall firewall delete rule name=""{#RuleName}"""; Flags: runhidden; RunOnceId: "DeleteFirewallRule"
