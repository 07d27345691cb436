; Inno Setup 6 script: the officers' setup program for Windows (64-bit Windows 10 or 11).
; Keep this file UTF-8 with its byte order mark: Inno Setup reads the Vietnamese texts right only then.
;
; Build the bundle first (on Windows), then this, from the repository's folder:
;   .venv\Scripts\python installer\build.py --only desktop --setup
; or by hand:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\labour-survey.iss
; which makes dist\labour-survey-0.1.0-setup.exe from dist\labour-survey\ (/DBundleDir=... for another folder).
;
; - Installs for the current user by default (no administrator rights needed), or for all users.
; - Start-menu entries (the program, and its self-test) and a desktop icon.
; - Upgrade in place: the fixed AppId below makes a newer setup replace the installed version in
;   the same folder, closing the program first. Never change the AppId.
; - The officer's data is NOT in the program folder but in %LOCALAPPDATA%\labour-survey (see
;   forms/paths.py); neither an upgrade nor the uninstaller touches it.

#ifndef AppVersion
  #error Give the version: ISCC /DAppVersion=0.1.0 labour-survey.iss (installer\build.py --setup does)
#endif
#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\..\dist\labour-survey"
#endif
#define OutputFolder AddBackslash(SourcePath) + "..\..\dist"
#define HaveVietnamese FileExists(AddBackslash(SourcePath) + "Vietnamese.isl")

[Setup]
AppId={{3E29F14A-907F-4420-801A-1344F7F1A231}
AppName=labour-survey
AppVerName=labour-survey {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=labour-survey
AppComments=Thu thập thông tin cung lao động / Household labour supply survey
DefaultDirName={autopf}\labour-survey
DefaultGroupName=labour-survey
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputFolder}
OutputBaseFilename=labour-survey-{#AppVersion}-setup
SetupIconFile=labour-survey.ico
UninstallDisplayIcon={app}\labour-survey.exe
UninstallDisplayName=labour-survey {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade closes the running program (Windows Restart Manager) before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
#if HaveVietnamese
; Vietnamese.isl: Inno Setup's unofficial Vietnamese translation, put beside this script.
Name: "vietnamese"; MessagesFile: "Vietnamese.isl"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
english.DesktopIcon=Desktop icon
english.ProgramName=Labour supply survey
english.SelfTestName=Labour supply survey - check the installation
english.Launch=Start the program now
english.DataKept=The officer's data has been kept in %1. Delete that folder by hand only after every household has been sent to the provincial server.
#if HaveVietnamese
vietnamese.DesktopIcon=Biểu tượng trên màn hình
vietnamese.ProgramName=Thu thập cung lao động
vietnamese.SelfTestName=Thu thập cung lao động - kiểm tra cài đặt
vietnamese.Launch=Mở chương trình ngay
vietnamese.DataKept=Dữ liệu của cán bộ vẫn được giữ ở %1. Chỉ xoá thư mục đó khi mọi hộ đã được gửi lên máy chủ của tỉnh.
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"

[InstallDelete]
; The previous version's modules and libraries go before the new ones are copied, so that none
; of them lingers beside the new version. (The data is elsewhere: see the top.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{cm:ProgramName}"; Filename: "{app}\labour-survey.exe"; WorkingDir: "{app}"
Name: "{autoprograms}\{cm:SelfTestName}"; Filename: "{cmd}"; Parameters: "/k ""{app}\labour-survey-cli.exe"" --self-test"; WorkingDir: "{app}"; IconFilename: "{app}\labour-survey.exe"
Name: "{autodesktop}\{cm:ProgramName}"; Filename: "{app}\labour-survey.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\labour-survey.exe"; Description: "{cm:Launch}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\labour-survey')]), mbInformation, MB_OK);
end;
