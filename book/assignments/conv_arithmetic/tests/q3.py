OK_FORMAT = True

test = {   'name': 'q3',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> x = np.arange(16.0).reshape(1, 4, 4, 1)\n>>> assert np.array_equal(pool2d(x, 2, 2)[0, :, :, 0], [[5, 7], [13, 15]])\n',
                                       'failure_message': '2x2 max pooling with stride 2 on 0..15 keeps 5, 7, 13 and 15',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
