# broker shell integration for PowerShell. Load it from $PROFILE with:
#     Invoke-Expression (& broker shell-init powershell | Out-String)
# Loading it twice is harmless.

# `broker use NAME` runs in a child process, which cannot change this session. So this
# function runs it with BROKER_SHELL set, which makes it print assignments on stdout, and
# evaluates them here. Every other command goes to the binary untouched.
function global:__broker_exe {
    (Get-Command -Name broker -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function global:broker {
    $sub = $null
    $skip = $false
    $help = $false
    foreach ($arg in $args) {
        if ($skip) { $skip = $false; continue }
        if ($arg -eq '--') { break }
        if (@('-h', '--help', '-V', '--version') -contains $arg) { $help = $true; continue }
        if (@('--config', '--profile', '--timeout', '-p') -contains $arg) { $skip = $true; continue }
        if ("$arg".StartsWith('-')) { continue }
        if ($null -eq $sub) { $sub = "$arg" }
    }
    $exe = __broker_exe
    if ($sub -eq 'use' -and -not $help) {
        $env:BROKER_SHELL = 'powershell'
        try {
            $out = & $exe @args | Out-String
            $code = $LASTEXITCODE
        } finally {
            Remove-Item -LiteralPath Env:BROKER_SHELL -ErrorAction SilentlyContinue
        }
        if ($code -eq 0 -and $out) { Invoke-Expression $out }
        $global:LASTEXITCODE = $code
    } else {
        & $exe @args
    }
}

# BEGIN prompt hook
# Re-exports when another process rotated the token. broker compares BROKER_STAMP with one
# stat of the state file and prints nothing when they agree: no decryption, no network. It
# runs as in CI, so it never prompts; it keeps $LASTEXITCODE for the prompt.
function global:__broker_hook {
    if (-not $env:BROKER_STAMP) { return }
    $saved = $global:LASTEXITCODE
    $ci = $env:CI
    $env:CI = 'true'
    try {
        $out = & (__broker_exe) env --if-changed --format powershell 2>$null | Out-String
        if ($LASTEXITCODE -eq 0 -and $out) { Invoke-Expression $out }
    } catch {
    } finally {
        $env:CI = $ci
        $global:LASTEXITCODE = $saved
    }
}

if (-not $global:__broker_hooked) {
    $global:__broker_hooked = $true
    $global:__broker_prompt_old = $function:prompt
    function global:prompt {
        __broker_hook
        if ($null -ne $global:__broker_prompt_old) { & $global:__broker_prompt_old }
    }
}
# END prompt hook
