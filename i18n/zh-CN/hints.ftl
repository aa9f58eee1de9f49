# 许多错误共用的提示：src/error/hint.rs。

hint-login = 运行 `broker login { $profile }`
hint-did-you-mean = 你是不是想用 `{ $near }`？
hint-profiles = { $count ->
        [0] 还没有任何配置：用 `broker profile add NAME --grant { $grants } --app-key KEY` 添加一个
       *[other] 已有配置：{ $names }
    }

# 命令（src/commands）。
hint-change-profile = { $source ->
        [environment] 用 `eval "$(broker env --unset)"` 清除它，或用 `broker use NAME` 切换
       *[use-default] 用 `broker use NAME` 另选一个
    }；{ $then ->
        [did-you-mean] { hint-did-you-mean }
       *[profiles] { hint-profiles }
    }
