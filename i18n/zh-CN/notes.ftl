# 调用方为下层错误补充的说明：src/error/note.rs。`$error` 是到目前为止的消息。

note-config-key = { $error }（`{ $file }` 中的键 `{ $key }`）
note-from-env = { $error }（来自 `{ $var }`）
note-in-file = { $error }（在 `{ $path }` 中）
note-hint = { $error }

# 命令（src/commands）。
note-profile-from = { $error }（{ $source ->
        [environment] 来自 shell 集成导出的 `BROKER_PROFILE`
       *[use-default] 是 `broker use` 选定的默认配置
    }）
note-new-passphrase = { $error }
    .hint = 请设置 `BROKER_AGE_PASSPHRASE`，或在终端中运行 `broker init --passphrase`

# 获取令牌和运行钩子（src/grant、src/rotate、src/hooks）。
note-retried = { $error }，已在 { $over } 内尝试了 { $attempts } 次
note-codes-are-single-use = { $error }（授权码只能使用一次，有效期 10 分钟）
note-refresh-token-not-sent = { $error }；刷新令牌没有发送
note-new-refresh-token-saved = { $error }；新的刷新令牌已保存，下次使用时会用它刷新
note-maybe-spent = { $error }；刷新令牌可能已被用掉：下次使用时会再提交一次以确认
    .hint = 运行 `broker token { $profile }` 重试
note-recovery-spent = { $error }；{ $story }；现在再次提交，发现刷新令牌已被使用或已失效：很可能百度当时已经收下了它，而它的回答（新令牌）丢失了
    .hint = 运行 `broker login { $profile }`
note-spent-by-copy = { $error }；这个状态是从 `{ $from_host }` 上的 `{ $from_path }` 复制来的，而刷新令牌只能用一次：那边的状态很可能已先用掉了它
    .hint = 运行 `broker login { $profile }`，并让每个 netdisk 配置的状态只保存在一个地方
note-spent-elsewhere = { $error }；刷新令牌只能用一次，所以它很可能已在别处被用掉：另一台机器或另一个主目录中的这份状态的副本（或者应用已与账号解绑）
    .hint = 运行 `broker login { $profile }`，并让每个 netdisk 配置的状态只保存在一个地方
note-new-token-lost = { $error }；百度已经收下了旧的刷新令牌，所以新令牌丢失了
    .hint = 修好这个问题后，运行 `broker login { $profile }`
