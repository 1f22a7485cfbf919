# Windows Task Scheduler: a weekly rolling run of HCI01 on Sunday at 02:00, as a domain service account.
# Uses the signed-in identity (Kerberos) through the local-pwsh transport, so no password is stored for cauctl.
$action = New-ScheduledTaskAction -Execute 'cauctl.cmd' -Argument 'run --cluster-name HCI01 --transport local-pwsh --max-failed-nodes 1 --force --json'
$trigger = New-ScheduledTaskTrigger -Weekly -DaysOfWeek Sunday -At 2am
Register-ScheduledTask -TaskName 'cauctl run HCI01' -Action $action -Trigger $trigger -User 'CONTOSO\svc-cau' -Password (Read-Host 'Password for CONTOSO\svc-cau')

# The same with schtasks.exe:
# schtasks /Create /TN "cauctl run HCI01" /SC WEEKLY /D SUN /ST 02:00 /RU CONTOSO\svc-cau /RP * /TR "cauctl.cmd run --cluster-name HCI01 --transport local-pwsh --max-failed-nodes 1 --force --json"
