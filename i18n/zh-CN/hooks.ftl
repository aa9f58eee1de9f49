# 钩子错误：src/hooks/error.rs。

hooks-failed = `{ $profile }` 的 { $total } 个{ $sinks ->
        [true] sink 和钩子
       *[false] 钩子
    }中有 { $failed } 个{ $when ->
        [rerun] 在重新运行时
        [rotate] 在新令牌保存之后
        [login] 在登录结果保存之后
        [refresh-failed] 在轮换失败之后
       *[test] 在测试中
    }失败
    .hint = { $when ->
        [test] 请查看上面的输出；修好后再运行 `broker hooks test { $profile }`
        [rerun] 请查看上面的输出；`{ $profile }` 已保存的令牌没有变
       *[other] 令牌已经保存；修好钩子后，用 `broker hooks run { $profile }` 重新运行
    }
hooks-nested = 不能在 `{ $profile }` 的钩子里{ $doing ->
        [rotate] 轮换
        [log-in] 登录
       *[run-hooks] 运行钩子于
    } `{ $profile }`：那样会再次触发这个钩子，无休无止
    .hint = 钩子可以从 `BROKER_ACCESS_TOKEN` 和标准输入拿到新令牌；令牌有效期内，`broker token { $profile }` 直接返回已保存的令牌
hooks-no-stored-token = `{ $profile }` 没有已保存的令牌
    .hint = 先用 `broker token { $profile }`（或 `broker login { $profile }`）获取一个，它的钩子届时会运行
hooks-sink-without-token = 没有可写出的令牌
hooks-ran = { $run ->
        [exit] 退出码 { $exit_code }
        [killed] 被 { $signal } 终止
        [killed-by-number] 被信号 { $number } 终止
        [timed-out] { $after } 后超时
        [cannot-wait] 无法等待它结束：{ $reason }
        [no-folder] 无法运行：目录 `{ $folder }` 不存在
        [empty-command] 无法运行：命令为空
        [bad-env-name] 无法运行：`{ $name }` 不是合法的环境变量名
        [not-found] 无法运行 `{ $program }`：找不到该程序
        [not-executable] 无法运行 `{ $program }`：权限不足（它有可执行权限吗？）
        [cannot-run] 无法运行 `{ $program }`：{ $reason }
        [written] 已写入
        [sink-failed] { $error }
       *[ended] 已结束
    }
hooks-some-failed = 有些钩子在配置轮换后运行失败；所有新令牌都已保存
    .hint = 请查看上面的输出；用 `broker hooks run PROFILE` 重新运行它们
